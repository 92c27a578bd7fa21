// The adapter between a live training session and @headstart/checkpoint, which takes plain values so
// that the format does not depend on the pre-training service.
import type { CheckpointMeta } from '@headstart/checkpoint';
import { packCheckpoint } from '@headstart/checkpoint';
import { rngStates } from '../training/seeds';
import type { TrainingSession } from '../training/session';

/**
 * Serialises a session at a step boundary into checkpoint bundle bytes. The moments are not copied out
 * first: packing copies them into the bundle before the session's next step.
 */
export async function packSessionCheckpoint(session: TrainingSession, meta: CheckpointMeta): Promise<Buffer> {
  return packCheckpoint(
    {
      model: session.model,
      optimizer: await session.optimizer.exportState({ copy: false }),
      counters: session.counters,
      rng: rngStates(session.rngs),
      training: session.config,
    },
    meta,
  );
}
