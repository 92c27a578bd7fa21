// An append-only log of a running study's trials, for the service to feed results into as each
// fine-tune or baseline finishes. It rejects what would make the summary ambiguous at the moment the
// bad trial arrives, instead of when the report is rendered hours later.
import {
  checkTrial,
  summarizeStudy,
  type StudySummary,
  type SummarizeOptions,
  type Trial,
} from './study-result';

export class TrialLog {
  private readonly entries: Trial[] = [];
  private readonly keys = new Set<string>();
  /** budget → budgetExamples of the first trial at that budget (per split). */
  private readonly examples = new Map<string, number>();

  constructor(trials: readonly Trial[] = []) {
    trials.forEach((trial) => this.add(trial));
  }

  /**
   * Appends a trial (copied). Throws a RangeError for an invalid trial, a second trial with the same
   * (budget, seed, arm, split), or a budgetExamples that differs from earlier trials at that budget
   * and split (the arms would not have trained on the same labels).
   */
  add(trial: Trial): void {
    checkTrial(trial);
    const key = `${trial.split}/${trial.budget}/${trial.seed}/${trial.arm}`;
    if (this.keys.has(key)) {
      throw new RangeError(
        `a trial for ${trial.arm}, budget ${trial.budget}, seed ${trial.seed} is already logged`,
      );
    }
    const budgetKey = `${trial.split}/${trial.budget}`;
    const expected = this.examples.get(budgetKey);
    if (expected !== undefined && expected !== trial.budgetExamples) {
      throw new RangeError(
        `budget ${trial.budget} had ${expected} examples, this ${trial.arm} trial says ${trial.budgetExamples}`,
      );
    }
    this.keys.add(key);
    this.examples.set(budgetKey, trial.budgetExamples);
    this.entries.push({ ...trial });
  }

  /** Every trial so far, in the order added. */
  get trials(): readonly Trial[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  /** summarizeStudy over the trials so far. */
  summarize(options: SummarizeOptions): StudySummary {
    return summarizeStudy(this.entries, options);
  }
}
