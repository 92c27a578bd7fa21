// Small rules about runs shared by the API and the workers.
import { randomUUID } from 'node:crypto';
import { common } from '@headstart/proto';
import type { pretrain } from '@headstart/proto';

const { JobState } = common;

export function newRunId(): string {
  return `run-${randomUUID()}`;
}

/** Run ids are KV keys and NATS subject tokens: letters, digits, '-' and '_' only. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isTerminal(state: common.JobState): boolean {
  return (
    state === JobState.JOB_STATE_SUCCEEDED ||
    state === JobState.JOB_STATE_FAILED ||
    state === JobState.JOB_STATE_CANCELLED
  );
}

export function stateName(state: common.JobState): string {
  return common.jobStateToJSON(state).replace('JOB_STATE_', '');
}

/** The run with its state set to a terminal one, stamped, and no worker attached. */
export function finished(
  run: pretrain.Run,
  state: common.JobState,
  error?: { message: string; code: string },
): pretrain.Run {
  const now = new Date();
  return {
    ...run,
    state,
    finishedAt: now,
    updatedAt: now,
    worker: '',
    error: error?.message ?? run.error,
    errorCode: error?.code ?? run.errorCode,
  };
}
