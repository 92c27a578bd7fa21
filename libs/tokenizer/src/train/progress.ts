/** Where training is; reported through `onProgress`. */
export interface TrainProgress {
  phase: 'counting' | 'merging' | 'done';
  /** Documents read so far. */
  documents: number;
  /** Words (pre-tokens) counted so far. */
  words: number;
  /** Distinct words in the count table. */
  distinctWords: number;
  /** Merges done so far. */
  merges: number;
  /** Current vocabulary size. */
  vocabSize: number;
  /** The requested vocabulary size. */
  targetVocabSize: number;
}

export interface TrainControl {
  /** Aborts training; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called now and then (every few thousand documents / hundred merges) and once at the end. */
  onProgress?: (progress: TrainProgress) => void;
}

/** Lets timers and I/O run every ~20 ms of synchronous work, so an abort can arrive. */
export class Yielder {
  private last = performance.now();

  constructor(private readonly signal: AbortSignal | undefined) {}

  check(): void {
    this.signal?.throwIfAborted();
  }

  async maybeYield(): Promise<void> {
    // An abort is honoured at the next check even when it is too soon to yield: a fast machine can
    // otherwise finish training between two yields and never see it.
    this.check();
    const now = performance.now();
    if (now - this.last < 20) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
    this.check();
  }
}
