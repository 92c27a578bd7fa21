// Waiting for what an event started (a study, a run): the pipeline cannot be told, so it asks again every
// half second until the thing appears, the deadline passes (DEADLINE_EXCEEDED naming it) or the job is
// cancelled (CANCELLED).
import { Code, HeadstartError } from '@headstart/errors';

export interface PollOptions {
  /** What is awaited, for the deadline's message, e.g. "a study for headstart-bert-mini:5". */
  what: string;
  /** @default 5 min */
  timeoutMs?: number | undefined;
  /** @default 500 ms */
  intervalMs?: number;
  signal?: AbortSignal | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `find()` again until it returns something. */
export async function pollUntilFound<T>(
  find: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  for (;;) {
    if (options.signal?.aborted) throw new HeadstartError(Code.CANCELLED, 'the pipeline was cancelled');
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new HeadstartError(Code.DEADLINE_EXCEEDED, `${options.what} did not appear in time`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}
