// Job records in a JetStream key-value bucket. The API replicas and every worker read and write the same
// records through NATS, which they all reach anyway: no shared volume, no database of its own, any number
// of API replicas, and a job does not depend on the replica that accepted it. Writes are compare-and-set
// on the key's revision, so a worker's heartbeat, a cancel and a second worker taking over a stale job
// never overwrite each other blindly.
import { Code, HeadstartError } from '@headstart/errors';
import type { ConnectionState } from '@headstart/events';
import type { JetStreamClient, JetStreamManager, KV, KvEntry } from 'nats';
import type { JobFields } from './job';
import type { Lease } from './lease';
import { isConflict, natsFailure, retryLeaderless } from './nats-failure';

export interface JobRecord<J> {
  job: J;
  lease?: Lease;
}

export interface StoredJob<J> extends JobRecord<J> {
  revision: number;
}

/** An update function's verdict: the new record, or `undefined` to leave it as it is. */
export type JobUpdate<J> = (current: JobRecord<J>) => JobRecord<J> | undefined;

export interface JobStore<J extends JobFields> {
  readonly bucket: string;
  create(record: JobRecord<J>): Promise<StoredJob<J>>;
  get(id: string): Promise<StoredJob<J> | undefined>;
  /** Read, apply `fn`, write back if the revision did not move; retried on conflict. NOT_FOUND if absent. */
  update(id: string, fn: JobUpdate<J>): Promise<StoredJob<J>>;
  /** Every job (unordered). */
  list(): Promise<J[]>;
  /** Calls `onChange` with the current record, then with every change, until the returned stop(). */
  watch(id: string, onChange: (record: JobRecord<J>) => void): Promise<{ stop(): void }>;
  /** Binds `key` to `id` unless it is bound already; returns the job id it is bound to. */
  claimIdempotencyKey(key: string, id: string): Promise<string>;
  /** Removes a job's record (retention of finished jobs). */
  remove(id: string): Promise<void>;
}

/** How a job message is stored: ts-proto's JSON mapping (readable with `nats kv get`). */
export interface JobCodec<J> {
  toJSON(job: J): unknown;
  fromJSON(json: unknown): J;
}

export interface JobStoreOptions<J> {
  bucket: string;
  codec: JobCodec<J>;
  /** What the bucket holds, for operators (`nats kv ls`). */
  description: string;
  /** What a record is called in errors ("run", "fine-tune", "job"). @default 'job' */
  noun?: string;
  /** Key prefix of the records. @default 'jobs' */
  keyPrefix?: string;
  /**
   * Replicas of the bucket's stream (HEADSTART_NATS_STREAM_REPLICAS: 3 on a cluster). A new bucket is
   * created with them; an existing bucket with fewer is raised (with `jsm`), never lowered. @default 1
   */
  replicas?: number;
  /** Needed to raise the replicas of an existing bucket. */
  jsm?: JetStreamManager;
  /** How long a call rides out a moment without a JetStream leader before UNAVAILABLE. @default 20 s */
  leaderlessBudgetMs?: number;
  /**
   * The bus's connection: while NATS is away, a call waits for the reconnect (within the leaderless
   * budget) instead of going into nats.js's reconnect buffer, where its reply can be lost and the call
   * then waits out its whole timeout (a 5 s stall of every job-store call after a NATS restart).
   */
  connection?: Pick<ConnectionState, 'whenConnected'>;
  /**
   * The key records written before this job model kept the job under (pretrain's run records: 'run'):
   * such a record is read as if it were `job`, and written back as `job` on its next update, so the
   * records of a deployment stay readable across the upgrade.
   */
  legacyJobKey?: string;
}

const MAX_CAS_ATTEMPTS = 50;
const LEADERLESS_BUDGET_MS = 20_000;

export function encodeJobRecord<J>(codec: JobCodec<J>, record: JobRecord<J>): Uint8Array {
  return Buffer.from(JSON.stringify({ job: codec.toJSON(record.job), lease: record.lease }), 'utf8');
}

export function decodeJobRecord<J>(
  codec: JobCodec<J>,
  data: Uint8Array,
  legacyJobKey?: string,
): JobRecord<J> {
  const json = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown> & { lease?: Lease };
  const job = json['job'] ?? (legacyJobKey === undefined ? undefined : json[legacyJobKey]);
  return { job: codec.fromJSON(job), ...(json.lease ? { lease: json.lease } : {}) };
}

function live(entry: KvEntry | null): entry is KvEntry {
  return entry !== null && entry.operation === 'PUT';
}

/**
 * The keys of the bucket under `prefix.`, from the subjects its stream holds (one stream-info request,
 * paged by the client). Not kv.keys(): its ordered consumer returned a key twice when the key was
 * rewritten meanwhile, and never ended while a key was rewritten every few tens of ms by a process whose
 * event loop was busy (a worker writing progress while it trains: found by the finetune tests).
 */
async function keysUnder(jsm: JetStreamManager, bucket: string, prefix: string): Promise<string[]> {
  const lead = `$KV.${bucket}.`;
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${lead}${prefix}.*` });
  return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(lead.length));
}

/** Raises the replicas of the bucket's stream `KV_<bucket>` to `replicas` when it has fewer. */
async function raiseReplicas(jsm: JetStreamManager, bucket: string, replicas: number): Promise<void> {
  const stream = `KV_${bucket}`;
  const { config } = await jsm.streams.info(stream);
  if ((config.num_replicas ?? 1) >= replicas) return;
  await jsm.streams.update(stream, { ...config, num_replicas: replicas });
}

async function openBucket(js: JetStreamClient, options: JobStoreOptions<unknown>): Promise<KV> {
  const replicas = options.replicas ?? 1;
  const kv = await js.views.kv(options.bucket, {
    history: 1,
    replicas,
    // Replicated, reads go through the bucket's leader: a direct get may be answered by a replica still
    // catching up (found by the replicated-NATS test: a run read as RUNNING after it SUCCEEDED, from the
    // server that had just come back). The compare-and-set writes need the latest revision anyway.
    ...(replicas > 1 ? { allow_direct: false } : {}),
    description: options.description,
  });
  if (options.jsm !== undefined && replicas > 1) await raiseReplicas(options.jsm, options.bucket, replicas);
  return kv;
}

/** Opens (creating if needed) a bucket of job records. */
export async function openJobStore<J extends JobFields>(
  js: JetStreamClient,
  options: JobStoreOptions<J>,
): Promise<JobStore<J>> {
  const { bucket, codec } = options;
  const noun = options.noun ?? 'job';
  const prefix = options.keyPrefix ?? 'jobs';
  const jobKey = (id: string) => `${prefix}.${id}`;
  const idempotencyKey = (hash: string) => `idempotency.${hash}`;
  const budgetMs = options.leaderlessBudgetMs ?? LEADERLESS_BUDGET_MS;
  const transient = async <T>(call: () => Promise<T>) => {
    await options.connection?.whenConnected(budgetMs).catch((err: unknown) => {
      throw new HeadstartError(
        Code.UNAVAILABLE,
        `the ${noun} records (bucket ${bucket}) are unreachable: NATS is away; retry`,
        { cause: err },
      );
    });
    return retryLeaderless(call, budgetMs);
  };
  const kv = await openBucket(js, options as JobStoreOptions<unknown>);
  // Without the account-info request (a user's permissions need not include it): the bucket exists.
  const jsm = options.jsm ?? (await js.jetstreamManager(false));
  const encode = (record: JobRecord<J>) => encodeJobRecord(codec, record);
  const decode = (data: Uint8Array) => decodeJobRecord(codec, data, options.legacyJobKey);

  const get = async (id: string): Promise<StoredJob<J> | undefined> => {
    const entry = await transient(() => kv.get(jobKey(id)));
    return live(entry) ? { ...decode(entry.value), revision: entry.revision } : undefined;
  };

  const store: JobStore<J> = {
    bucket,
    async create(record) {
      const value = encode(record);
      let attempts = 0;
      try {
        const revision = await transient(() => {
          attempts++;
          return kv.create(jobKey(record.job.id), value);
        });
        return { ...record, revision };
      } catch (err) {
        // A create that timed out may have been stored: the key holding our own record is success.
        const entry = attempts > 1 && isConflict(err) ? await kv.get(jobKey(record.job.id)) : null;
        if (live(entry) && Buffer.from(entry.value).equals(Buffer.from(value))) {
          return { ...record, revision: entry.revision };
        }
        if (isConflict(err)) {
          throw new HeadstartError(Code.ALREADY_EXISTS, `${noun} ${record.job.id} already exists`);
        }
        throw err;
      }
    },
    get,
    async update(id, fn) {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = await get(id);
        if (!current) throw new HeadstartError(Code.NOT_FOUND, `${noun} ${id} does not exist`);
        const next = fn({ job: current.job, ...(current.lease ? { lease: current.lease } : {}) });
        if (next === undefined) return current;
        try {
          const revision = await transient(() => kv.update(jobKey(id), encode(next), current.revision));
          return { ...next, revision };
        } catch (err) {
          if (!isConflict(err)) throw err;
        }
      }
      throw new HeadstartError(
        Code.ABORTED,
        `${noun} ${id} changed ${MAX_CAS_ATTEMPTS} times while updating it`,
      );
    },
    async list() {
      // Each call rides out a leaderless moment as get does (found by the replicated-NATS test: a list
      // right after a killed server came back timed out).
      const keys = await transient(() => keysUnder(jsm, bucket, prefix));
      const entries = await Promise.all(keys.map((key) => transient(() => kv.get(key))));
      return entries.filter(live).map((entry) => decode(entry.value).job);
    },
    async watch(id, onChange) {
      const iterator = await kv.watch({ key: jobKey(id) });
      void (async () => {
        for await (const entry of iterator) if (live(entry)) onChange(decode(entry.value));
      })().catch(() => undefined);
      return { stop: () => iterator.stop() };
    },
    async claimIdempotencyKey(hash, id) {
      try {
        await kv.create(idempotencyKey(hash), Buffer.from(id, 'utf8'));
        return id;
      } catch (err) {
        if (!isConflict(err)) throw err;
        const entry = await kv.get(idempotencyKey(hash));
        if (!live(entry)) throw err;
        return Buffer.from(entry.value).toString('utf8');
      }
    },
    async remove(id) {
      await transient(() => kv.purge(jobKey(id)));
    },
  };
  return guarded(store, (err) => natsFailure(err, bucket, `${noun} records`));
}

/** The store with every call's NATS failures translated by `translate`. */
function guarded<J extends JobFields>(store: JobStore<J>, translate: (err: unknown) => unknown): JobStore<J> {
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        throw translate(err);
      }
    };
  return {
    bucket: store.bucket,
    create: guard(store.create),
    get: guard(store.get),
    update: guard(store.update),
    list: guard(store.list),
    watch: guard(store.watch),
    claimIdempotencyKey: guard(store.claimIdempotencyKey),
    remove: guard(store.remove),
  };
}
