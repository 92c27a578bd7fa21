// The TF.js backend is process-wide: a worker selects its own (HEADSTART_BACKEND) once, and switches only
// for a run that asks for another one.
import type { BackendChoice, BackendInfo, ComputeLogger } from '@headstart/compute';
import { selectBackend } from '@headstart/compute';
import { PermanentRunError } from './failure';

export interface BackendManager {
  /** Activates `choice` (or the worker's default) unless it is active already. */
  ensure(choice: BackendChoice | undefined): Promise<BackendInfo>;
}

/** @param threads compute threads; 0 or undefined: the process's CPU budget (see @headstart/compute). */
export function createBackendManager(
  defaultChoice: BackendChoice,
  logger: ComputeLogger,
  threads?: number,
): BackendManager {
  let active: { choice: BackendChoice; info: BackendInfo } | undefined;
  return {
    async ensure(choice) {
      const want = choice ?? defaultChoice;
      if (active?.choice === want) return active.info;
      try {
        const info = await selectBackend({ backend: want, logger, ...(threads ? { threads } : {}) });
        active = { choice: want, info };
        return info;
      } catch (err) {
        throw new PermanentRunError(
          `backend '${want}' is not available on this worker: ${(err as Error).message}`,
          undefined,
          {
            cause: err,
          },
        );
      }
    },
  };
}
