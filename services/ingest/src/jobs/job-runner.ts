// What the code of one kind of job (tokenizer training, tokenization) gets from the worker running it.
import type { ingest, registry } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';

/** What a running job reports; every field is optional and sticks until changed. */
export interface ProgressUpdate {
  /** A new phase resets done/total/unit and the ETA's time base. */
  phase?: string;
  /** Unit of done/total: documents, bytes, merges... */
  unit?: string;
  done?: number;
  total?: number;
  documentsDone?: number;
  documentsTotal?: number;
  bytesDone?: number;
  bytesTotal?: number;
  tokensDone?: number;
}

export interface JobContext {
  /** The job as it was when this attempt started (id, kind, spec). */
  readonly job: ingest.Job;
  /** Aborted when the job is cancelled or its worker stops: stop promptly, register nothing. */
  readonly signal: AbortSignal;
  /** A scratch directory of this attempt, removed afterwards. */
  readonly workDir: string;
  readonly logger: Logger;
  /** Cheap (memory only; the worker writes it to the record at its heartbeat): call as often as convenient. */
  progress(update: ProgressUpdate): void;
}

/**
 * Runs one kind of job from its start (an attempt after a dead worker starts over); resolves with the
 * version it registered. It registers with the job id as idempotency key, so a re-run never registers a
 * second version.
 */
export type JobRunner = (ctx: JobContext) => Promise<registry.ModelVersion>;
