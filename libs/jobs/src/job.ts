// The job model's words, used the same way by every service (docs/architecture.md has the glossary):
//   job      a record of long work: a pretrain run, a fine-tune, an ingest job. Its id is its key.
//   work item  the queue message that asks a worker to run a job (libs/events WORK_TYPES).
//   worker   a process that pulls work items and runs jobs.
//   attempt  one worker's try at a job: it starts with a claim and ends with a settle or a hand-back.
//   lease    the claim's mark in the record (worker, work item, heartbeat): only its holder writes.
//   cancel   a request in the record; a queued job ends at once, a running one at its next heartbeat.
import { common } from '@headstart/proto';

const { JobState } = common;

/** The lifecycle fields every job message has (pretrain.Run, finetune.Finetune, ingest.Job). */
export interface JobFields {
  id: string;
  state: common.JobState;
  error: string;
  errorCode: string;
  /** Attempts started (claims), over the job's life. */
  attempts: number;
  /** The worker of the current attempt ('' when none). */
  worker: string;
  cancelRequested: boolean;
  startedAt?: Date | undefined;
  finishedAt?: Date | undefined;
  updatedAt?: Date | undefined;
}

/** Job ids are key-value keys and NATS subject tokens: letters, digits, '-' and '_' only. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isTerminal(state: common.JobState): boolean {
  return (
    state === JobState.JOB_STATE_SUCCEEDED ||
    state === JobState.JOB_STATE_FAILED ||
    state === JobState.JOB_STATE_CANCELLED
  );
}

/** `RUNNING` for JOB_STATE_RUNNING: how states read in messages. */
export function stateName(state: common.JobState): string {
  return common.jobStateToJSON(state).replace('JOB_STATE_', '');
}

/** The job in a terminal state, stamped, with no worker attached. */
export function finished<J extends JobFields>(
  job: J,
  state: common.JobState,
  error?: { message: string; code: string },
): J {
  const now = new Date();
  return {
    ...job,
    state,
    finishedAt: now,
    updatedAt: now,
    worker: '',
    error: error?.message ?? job.error,
    errorCode: error?.code ?? job.errorCode,
  };
}

/** The job back in the queue (a hand-back or a retry): no worker attached. */
export function requeued<J extends JobFields>(job: J, error?: { message: string; code: string }): J {
  return {
    ...job,
    state: JobState.JOB_STATE_QUEUED,
    worker: '',
    updatedAt: new Date(),
    ...(error ? { error: error.message, errorCode: error.code } : {}),
  };
}
