// What the main job (and the CLI's long commands) tell a person while they work: one line per stage and
// the progress of long work within it. The stages call this interface; how it shows is the
// implementation's business: bars on a terminal (tty-reporter.ts), log lines elsewhere (plain-reporter.ts).

/** Extra figures of a progress report, e.g. `{ loss: 4.21, tokens_per_s: 3100, eta_s: 372 }`. */
export type ProgressFields = Readonly<Record<string, string | number | undefined>>;

/** One piece of long work (a tokenizer training, a pre-training run, a fine-tune, a study). */
export interface TaskReporter {
  /**
   * `done` of `total` units (`total` 0: not known yet; `total` 1: `done` is a fraction). `eta_s` and `unit` in `fields` are shown as an ETA
   * and after the counts; `message` replaces the generic log line of the plain reporter.
   */
  progress(done: number, total: number, fields?: ProgressFields, message?: string): void;
  /** The work ended; `summary` (e.g. "vocabulary 8,000") is shown with it. */
  done(summary?: string): void;
}

export interface Reporter {
  /** Stage `index` (1-based) started; stages run one at a time. */
  stageStarted(stage: string, index: number): void;
  stageFinished(stage: string, seconds: number): void;
  /** Long work within the current stage; several may run at once (the two fine-tunes). */
  task(label: string): TaskReporter;
  /** A line for people (a warning, where the logs are). */
  note(text: string): void;
  /** Stops drawing (bars end, the cursor comes back); nothing is drawn after it. */
  close(): void;
}

/** Reports nothing: the default of code that is not given a reporter. */
export const silentReporter: Reporter = {
  stageStarted: () => undefined,
  stageFinished: () => undefined,
  task: () => ({ progress: () => undefined, done: () => undefined }),
  note: () => undefined,
  close: () => undefined,
};

/** Every report goes to each of `reporters` (a terminal's bars and the log file's lines). */
export function combineReporters(...reporters: Reporter[]): Reporter {
  return {
    stageStarted: (stage, index) => reporters.forEach((r) => r.stageStarted(stage, index)),
    stageFinished: (stage, seconds) => reporters.forEach((r) => r.stageFinished(stage, seconds)),
    task(label) {
      const tasks = reporters.map((r) => r.task(label));
      return {
        progress: (done, total, fields, message) =>
          tasks.forEach((t) => t.progress(done, total, fields, message)),
        done: (summary) => tasks.forEach((t) => t.done(summary)),
      };
    },
    note: (text) => reporters.forEach((r) => r.note(text)),
    close: () => reporters.forEach((r) => r.close()),
  };
}

/** 75 → "1m15s", 3 → "3s", 4000 → "1h06m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A field's value for people: integers with separators, other numbers with 4 significant digits. */
export function formatValue(value: string | number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(4);
}
