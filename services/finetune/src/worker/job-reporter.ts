// Progress of a running job, written into its record through the attempt's lease (libs/jobs
// updateLeased): throttled, best effort (a write that fails is dropped; the next one carries the newer
// state), and each write renews the lease's heartbeat and reads back whether a cancel was requested.
// A write that finds the lease gone (the job was taken over or ended meanwhile) stops the attempt.
import { LostLeaseError, updateLeased, type Lease } from '@headstart/jobs';
import { common, type finetune } from '@headstart/proto';
import type { FinetuneJobStore } from '../jobs/job-store';

/** What a report may change in the job record. */
export type JobProgress = Partial<
  Pick<
    finetune.Finetune,
    | 'step'
    | 'totalSteps'
    | 'epoch'
    | 'loss'
    | 'bestDev'
    | 'resumedFromStep'
    | 'labels'
    | 'trainExamples'
    | 'devExamples'
    | 'testExamples'
    | 'splitSource'
    | 'truncatedExamples'
    | 'warnings'
    | 'backend'
  >
>;

export interface JobReporter {
  /** Writes now if `force` or the interval has passed; resolves with whether the job should stop. */
  report(progress: JobProgress, force?: boolean): Promise<boolean>;
  /** The data facts written with every report of this attempt (labels, counts, warnings). */
  setDataFacts(facts: JobProgress): void;
}

/** The record after a report: the data facts' warnings add to those the job was created with. */
function withProgress(job: finetune.Finetune, progress: JobProgress): finetune.Finetune {
  const warnings = progress.warnings ? [...new Set([...job.warnings, ...progress.warnings])] : job.warnings;
  return { ...job, ...progress, state: common.JobState.JOB_STATE_RUNNING, warnings };
}

export function createJobReporter(
  store: FinetuneJobStore,
  claim: { id: string; lease: Lease },
  intervalMs: number,
  onError: (err: unknown) => void,
): JobReporter {
  let last = 0;
  let facts: JobProgress = {};
  // Reports are partial (a step, an evaluation): each write carries the latest value of every field.
  let current: JobProgress = {};
  let stop = false;
  return {
    setDataFacts: (f) => {
      facts = f;
    },
    report: async (progress, force = false) => {
      current = { ...current, ...progress };
      const now = Date.now();
      if (!force && now - last < intervalMs) return stop;
      last = now;
      try {
        const stored = await updateLeased(store, claim.id, claim.lease, (job) =>
          withProgress(job, { ...facts, ...current }),
        );
        stop = stored.job.cancelRequested;
      } catch (err) {
        if (err instanceof LostLeaseError) throw err;
        onError(err);
      }
      return stop;
    },
  };
}
