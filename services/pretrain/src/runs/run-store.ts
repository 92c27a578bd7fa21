// Run records in a JetStream key-value bucket. The API replicas and every worker read and write the same
// records through NATS, which they all reach anyway: no shared volume, no database of its own, and any
// number of API replicas. Writes are compare-and-set on the key's revision, so a worker's progress, a
// CancelRun and a second worker taking over a stale run never overwrite each other blindly.
import { retryTransient } from '@headstart/client-kit';
import { Code, HeadstartError } from '@headstart/errors';
import { pretrain } from '@headstart/proto';
import type { JetStreamClient, JetStreamManager, KV, KvEntry } from 'nats';

export const DEFAULT_RUNS_BUCKET = 'HEADSTART_PRETRAIN_RUNS';

/** Who is training a run, and how recently it said so. */
export interface Lease {
  worker: string;
  /** Stream sequence of the work item being processed (a redelivery of it means the holder is gone). */
  streamSequence: number;
  /** Epoch ms of the holder's last heartbeat. */
  heartbeatAt: number;
}

export interface RunRecord {
  run: pretrain.Run;
  lease?: Lease;
}

export interface StoredRun extends RunRecord {
  revision: number;
}

/** An update function's verdict: the new record, or `undefined` to leave it as it is. */
export type RunUpdate = (current: RunRecord) => RunRecord | undefined;

export interface RunStore {
  readonly bucket: string;
  create(record: RunRecord): Promise<StoredRun>;
  get(runId: string): Promise<StoredRun | undefined>;
  /** Read, apply `fn`, write back if the revision did not move; retried on conflict. NOT_FOUND if absent. */
  update(runId: string, fn: RunUpdate): Promise<StoredRun>;
  /** Every run (unordered). */
  list(): Promise<pretrain.Run[]>;
  /** Calls `onChange` with the current record, then with every change, until the returned stop(). */
  watch(runId: string, onChange: (record: RunRecord) => void): Promise<{ stop(): void }>;
  /** Binds `key` to `runId` unless it is bound already; returns the run id it is bound to. */
  claimIdempotencyKey(key: string, runId: string): Promise<string>;
}

const runKey = (runId: string) => `runs.${runId}`;
const idempotencyKey = (hash: string) => `idempotency.${hash}`;
const MAX_CAS_ATTEMPTS = 50;

export function encodeRecord(record: RunRecord): Uint8Array {
  return Buffer.from(JSON.stringify({ run: pretrain.Run.toJSON(record.run), lease: record.lease }), 'utf8');
}

export function decodeRecord(data: Uint8Array): RunRecord {
  const json = JSON.parse(Buffer.from(data).toString('utf8')) as { run: unknown; lease?: Lease };
  return { run: pretrain.Run.fromJSON(json.run), ...(json.lease ? { lease: json.lease } : {}) };
}

/** JetStream's "wrong last sequence" (10071): someone wrote the key since we read it. */
function isConflict(err: unknown): boolean {
  const apiError = (err as { api_error?: { err_code?: number } } | undefined)?.api_error;
  return apiError?.err_code === 10071 || /wrong last sequence/i.test(String((err as Error)?.message ?? err));
}

/** NATS codes of a server that is restarting, unreachable or not answering yet: worth a retry. */
const TRANSIENT_NATS_CODES = new Set([
  'TIMEOUT',
  'DISCONNECT',
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
  '503',
  '408',
]);

/**
 * A NATS failure as the callers' answer: UNAVAILABLE (retryable) when the server is restarting or not
 * reachable, instead of an INTERNAL "internal error" for what is a transient outage. Other errors pass.
 */
export function natsFailure(err: unknown, bucket: string): unknown {
  if (err instanceof HeadstartError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && TRANSIENT_NATS_CODES.has(code)) {
    return new HeadstartError(
      Code.UNAVAILABLE,
      `the run records (NATS key-value bucket ${bucket}) are unavailable (${code}); retry`,
      { cause: err },
    );
  }
  return err;
}

/**
 * A moment without a JetStream leader: 503 (no responders) or a request timeout, e.g. while a replicated
 * bucket elects a new leader after a server died. Such calls are tried again (see {@link retryLeaderless}).
 */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === '503' || code === 'TIMEOUT' || /\b(503|TIMEOUT|no responders)\b/i.test(String(err));
}

/** How long a bucket call rides out a leaderless moment before the error reaches the caller. */
const TRANSIENT_BUDGET_MS = 20_000;

/** Runs `call`, trying again with a growing pause (50 ms … 1 s) while it fails transiently. */
function retryLeaderless<T>(call: () => Promise<T>, budgetMs: number): Promise<T> {
  return retryTransient(call, {
    boundMs: budgetMs,
    firstDelayMs: 50,
    maxDelayMs: 1_000,
    retryable: isTransient,
  });
}

function live(entry: KvEntry | null): entry is KvEntry {
  return entry !== null && entry.operation === 'PUT';
}

export interface RunStoreOptions {
  /**
   * Replicas of the bucket's stream (HEADSTART_NATS_STREAM_REPLICAS: 3 on a cluster). A new bucket is
   * created with them; an existing bucket with fewer is raised (with `jsm`), never lowered. @default 1
   */
  replicas?: number;
  /** Needed to raise the replicas of an existing bucket. */
  jsm?: JetStreamManager;
  /**
   * How long a call rides out a moment without a JetStream leader (an election after a server died)
   * before it answers UNAVAILABLE. @default 20 s
   */
  leaderlessBudgetMs?: number;
}

/** Raises the replicas of the bucket's stream `KV_<bucket>` to `replicas` when it has fewer. */
async function raiseReplicas(jsm: JetStreamManager, bucket: string, replicas: number): Promise<void> {
  const stream = `KV_${bucket}`;
  const { config } = await jsm.streams.info(stream);
  if ((config.num_replicas ?? 1) >= replicas) return;
  await jsm.streams.update(stream, { ...config, num_replicas: replicas });
}

/** Opens (creating if needed) the runs bucket. */
export async function openRunStore(
  js: JetStreamClient,
  bucket = DEFAULT_RUNS_BUCKET,
  options: RunStoreOptions = {},
): Promise<RunStore> {
  const replicas = options.replicas ?? 1;
  const transient = <T>(call: () => Promise<T>) =>
    retryLeaderless(call, options.leaderlessBudgetMs ?? TRANSIENT_BUDGET_MS);
  const kv: KV = await js.views.kv(bucket, {
    history: 1,
    replicas,
    // Replicated, reads go through the bucket's leader: a direct get may be answered by a replica still
    // catching up (found by the replicated-NATS test: a run read as RUNNING after it SUCCEEDED, from the
    // server that had just come back). The compare-and-set writes need the latest revision anyway.
    ...(replicas > 1 ? { allow_direct: false } : {}),
    description:
      'Pre-training runs: one record per run (state, progress, lease), written by API and workers.',
  });
  if (options.jsm !== undefined && replicas > 1) await raiseReplicas(options.jsm, bucket, replicas);
  const get = async (runId: string): Promise<StoredRun | undefined> => {
    const entry = await transient(() => kv.get(runKey(runId)));
    return live(entry) ? { ...decodeRecord(entry.value), revision: entry.revision } : undefined;
  };
  const store: RunStore = {
    bucket,
    async create(record) {
      const value = encodeRecord(record);
      let attempts = 0;
      try {
        const revision = await transient(() => {
          attempts++;
          return kv.create(runKey(record.run.id), value);
        });
        return { ...record, revision };
      } catch (err) {
        // A create that timed out may have been stored: the key holding our own record is success.
        const entry = attempts > 1 && isConflict(err) ? await kv.get(runKey(record.run.id)) : null;
        if (live(entry) && Buffer.from(entry.value).equals(Buffer.from(value))) {
          return { ...record, revision: entry.revision };
        }
        throw err;
      }
    },
    get,
    async update(runId, fn) {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = await get(runId);
        if (!current) throw new HeadstartError(Code.NOT_FOUND, `run ${runId} does not exist`);
        const next = fn({ run: current.run, ...(current.lease ? { lease: current.lease } : {}) });
        if (next === undefined) return current;
        try {
          const revision = await transient(() =>
            kv.update(runKey(runId), encodeRecord(next), current.revision),
          );
          return { ...next, revision };
        } catch (err) {
          if (!isConflict(err)) throw err;
        }
      }
      throw new HeadstartError(
        Code.ABORTED,
        `run ${runId} changed ${MAX_CAS_ATTEMPTS} times while updating it`,
      );
    },
    async list() {
      const keys: string[] = [];
      for await (const key of await kv.keys('runs.*')) keys.push(key);
      const entries = await Promise.all(keys.map((key) => kv.get(key)));
      return entries.filter(live).map((entry) => decodeRecord(entry.value).run);
    },
    async watch(runId, onChange) {
      const iterator = await kv.watch({ key: runKey(runId) });
      void (async () => {
        for await (const entry of iterator) if (live(entry)) onChange(decodeRecord(entry.value));
      })().catch(() => undefined);
      return { stop: () => iterator.stop() };
    },
    async claimIdempotencyKey(hash, runId) {
      try {
        await kv.create(idempotencyKey(hash), Buffer.from(runId, 'utf8'));
        return runId;
      } catch (err) {
        if (!isConflict(err)) throw err;
        const entry = await kv.get(idempotencyKey(hash));
        if (!live(entry)) throw err;
        return Buffer.from(entry.value).toString('utf8');
      }
    },
  };
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        throw natsFailure(err, bucket);
      }
    };
  return {
    bucket,
    create: guard(store.create),
    get: guard(store.get),
    update: guard(store.update),
    list: guard(store.list),
    watch: guard(store.watch),
    claimIdempotencyKey: guard(store.claimIdempotencyKey),
  };
}
