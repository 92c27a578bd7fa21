// A new run's id (a job id: libs/jobs JOB_ID_PATTERN).
import { randomUUID } from 'node:crypto';

export function newRunId(): string {
  return `run-${randomUUID()}`;
}
