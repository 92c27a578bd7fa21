// Who may publish and subscribe to what on NATS: one user per component, with the least set of subjects
// its code uses, derived from the topology (streams, events, work queues, consumers) and the core-NATS
// subjects the services use beside it. This file is the only place the permissions are written; the
// prod overlay's `nats-auth.conf` and the tests' server config are both generated from it
// (`natsAuthorizationConf`), and a test runs each component's real NATS work with its own user.
import { DLQ_SUBJECT_PREFIX, EVENT_CONSUMERS, EVENT_TYPES, STREAMS, WORK_TYPES } from './topology';

/** Core-NATS subjects and buckets owned by services; each service's tests check its constants equal these. */
export const SERVICE_SUBJECTS = {
  /** The JetStream KV bucket of fine-tune job records (libs/jobs). */
  finetuneJobsBucket: 'HEADSTART_FINETUNE_JOBS',
  /** Live pre-training progress (worker → API): `<prefix>.<runId>`. */
  pretrainProgress: 'headstart.progress.pretrain',
  /** The JetStream KV bucket of pre-training run records. */
  pretrainRunsBucket: 'HEADSTART_PRETRAIN_RUNS',
  /** The JetStream KV bucket of ingest job records. */
  ingestJobsBucket: 'HEADSTART_INGEST_JOBS',
} as const;

/** The components that connect to NATS. */
export type NatsComponent =
  'registry' | 'ingest' | 'pretrain' | 'pretrain-worker' | 'finetune' | 'finetune-worker';

export interface NatsPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /** May answer requests it received (one reply each, to the requester's inbox), and nothing else there. */
  readonly allowResponses: boolean;
}

export interface NatsUserDef {
  /** The NATS user name (also `HEADSTART_NATS_USER` of the component's pods). */
  readonly user: string;
  readonly description: string;
  readonly permissions: NatsPermissions;
}

/**
 * The inbox prefix of a connection authenticated as `user`: replies (JetStream API answers, publish
 * acks, pull deliveries, KV watches) come to `_INBOX.<user>.>`, so a user can read
 * only its own replies. `connectEvents` gets it from `natsSecurityOf` (libs/service-kit).
 */
export function natsInboxPrefix(user: string): string {
  return `_INBOX.${user}`;
}

const API = '$JS.API';

/** Every connection: `jetstreamManager()` checks the account first. */
const JS_ACCOUNT = [`${API}.INFO`];

/**
 * What `bus.ensureTopology()` touches: info, create and update of every Headstart stream and durable
 * consumer (never delete or purge). Each component that calls it at start needs all of it, because any
 * of them may be the first to start.
 */
function ensureTopologyApi(): string[] {
  const streams = Object.values(STREAMS).flatMap((s) =>
    ['INFO', 'CREATE', 'UPDATE'].map((op) => `${API}.STREAM.${op}.${s.name}`),
  );
  const consumers = [
    ...Object.values(EVENT_CONSUMERS).map((c) => ({ stream: STREAMS.events.name, name: c.name })),
    ...Object.values(WORK_TYPES).map((w) => ({ stream: STREAMS.work.name, name: w.consumer.name })),
  ].flatMap(({ stream, name }) => durableConsumerApi(stream, name));
  return [...streams, ...consumers];
}

/** Info, create and update (same subject) of one durable consumer, on nats-server 2.9+ and older. */
function durableConsumerApi(stream: string, name: string): string[] {
  return [
    `${API}.CONSUMER.INFO.${stream}.${name}`,
    `${API}.CONSUMER.CREATE.${stream}.${name}`,
    // 2.9+ with one filter subject: `CONSUMER.CREATE.<stream>.<name>.<filter>`.
    `${API}.CONSUMER.CREATE.${stream}.${name}.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${stream}.${name}`,
  ];
}

/** Pulling from a durable consumer (`bus.consume`, `bus.consumeWork`): next-message requests and acks. */
function pullApi(stream: string, name: string): string[] {
  return [
    ...durableConsumerApi(stream, name),
    `${API}.CONSUMER.MSG.NEXT.${stream}.${name}`,
    `$JS.ACK.${stream}.${name}.>`,
  ];
}

/** Dead letters of consumer `name` (a pull consumer's rejects, or `onMaxDeliveries` of its owner). */
const deadLetters = (name: string): string => `${DLQ_SUBJECT_PREFIX}.${name}`;

/**
 * The owner of a work type (`bus.onMaxDeliveries`): the consumer's advisories, reading and removing the
 * exhausted items from the work stream, their dead letters.
 */
function workOwner(work: { subject: string; consumer: { name: string } }): NatsPermissions {
  const stream = STREAMS.work.name;
  return {
    publish: [
      `${API}.CONSUMER.INFO.${stream}.${work.consumer.name}`,
      `${API}.STREAM.MSG.GET.${stream}`,
      `${API}.STREAM.MSG.DELETE.${stream}`,
      deadLetters(work.consumer.name),
    ],
    subscribe: [`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${work.consumer.name}`],
    allowResponses: false,
  };
}

/** Reads and writes of a JetStream KV bucket (`js.views.kv`: get, create, update, keys, watch). */
function kvBucket(bucket: string): string[] {
  const stream = `KV_${bucket}`;
  return [
    `${API}.STREAM.INFO.${stream}`,
    `${API}.STREAM.CREATE.${stream}`,
    // Raising the replicas of a bucket an earlier release created with fewer (never lowering them).
    `${API}.STREAM.UPDATE.${stream}`,
    `$KV.${bucket}.>`,
    `${API}.DIRECT.GET.${stream}`,
    `${API}.DIRECT.GET.${stream}.>`,
    `${API}.STREAM.MSG.GET.${stream}`,
    // keys() and watch() run an ordered (ephemeral, push) consumer, recreated after a gap.
    `${API}.CONSUMER.CREATE.${stream}`,
    `${API}.CONSUMER.CREATE.${stream}.>`,
    `${API}.CONSUMER.INFO.${stream}.>`,
    `${API}.CONSUMER.DELETE.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

function merge(...parts: NatsPermissions[]): NatsPermissions {
  const unique = (xs: string[]) => [...new Set(xs)];
  return {
    publish: unique(parts.flatMap((p) => [...p.publish])),
    subscribe: unique(parts.flatMap((p) => [...p.subscribe])),
    allowResponses: parts.some((p) => p.allowResponses),
  };
}

const pub = (...subjects: string[]): NatsPermissions => ({
  publish: subjects,
  subscribe: [],
  allowResponses: false,
});
const sub = (...subjects: string[]): NatsPermissions => ({
  publish: [],
  subscribe: subjects,
  allowResponses: false,
});

const registryEvents = Object.values(EVENT_TYPES)
  .map((e) => e.subject)
  .filter((s) => s.startsWith('headstart.events.registry.'));
const triggers = EVENT_CONSUMERS['finetune-triggers'].name;

function user(name: NatsComponent, description: string, ...parts: NatsPermissions[]): NatsUserDef {
  return {
    user: name,
    description,
    permissions: merge(pub(...JS_ACCOUNT), sub(`${natsInboxPrefix(name)}.>`), ...parts),
  };
}

/** One NATS user per component, with what its code does on NATS and nothing more. */
export const NATS_USERS: Readonly<Record<NatsComponent, NatsUserDef>> = {
  registry: user(
    'registry',
    'outbox relay: registry events into HEADSTART_EVENTS',
    pub(...ensureTopologyApi(), ...registryEvents),
  ),
  ingest: user(
    'ingest',
    'ingest API and its in-process workers: job records (KV), the ingest work queue and its exhausted jobs',
    pub(
      ...ensureTopologyApi(),
      ...kvBucket(SERVICE_SUBJECTS.ingestJobsBucket),
      ...pullApi(STREAMS.work.name, WORK_TYPES.ingest.consumer.name),
      WORK_TYPES.ingest.subject,
    ),
    workOwner(WORK_TYPES.ingest),
  ),
  pretrain: user(
    'pretrain',
    'pretrain API: run records (KV), the pretrain work queue and its exhausted runs, live progress',
    pub(
      ...ensureTopologyApi(),
      ...kvBucket(SERVICE_SUBJECTS.pretrainRunsBucket),
      WORK_TYPES.pretrain.subject,
    ),
    workOwner(WORK_TYPES.pretrain),
    sub(`${SERVICE_SUBJECTS.pretrainProgress}.*`),
  ),
  'pretrain-worker': user(
    'pretrain-worker',
    'pretrain worker: pulls runs (and requeues them), writes run records, publishes progress',
    pub(
      ...ensureTopologyApi(),
      ...kvBucket(SERVICE_SUBJECTS.pretrainRunsBucket),
      ...pullApi(STREAMS.work.name, WORK_TYPES.pretrain.consumer.name),
      WORK_TYPES.pretrain.subject,
      deadLetters(WORK_TYPES.pretrain.consumer.name),
      `${SERVICE_SUBJECTS.pretrainProgress}.*`,
    ),
  ),
  finetune: user(
    'finetune',
    'finetune API: the trigger consumer, job records (KV), the finetune work queue and its exhausted jobs',
    pub(
      ...ensureTopologyApi(),
      ...kvBucket(SERVICE_SUBJECTS.finetuneJobsBucket),
      ...pullApi(STREAMS.events.name, triggers),
      deadLetters(triggers),
      WORK_TYPES.finetune.subject,
      EVENT_TYPES.finetuneFinished.subject,
    ),
    workOwner(WORK_TYPES.finetune),
  ),
  'finetune-worker': user(
    'finetune-worker',
    'finetune worker: pulls jobs (and hands them back), writes job records (KV), FinetuneFinished',
    pub(
      ...kvBucket(SERVICE_SUBJECTS.finetuneJobsBucket),
      ...pullApi(STREAMS.work.name, WORK_TYPES.finetune.consumer.name),
      WORK_TYPES.finetune.subject,
      deadLetters(WORK_TYPES.finetune.consumer.name),
      EVENT_TYPES.finetuneFinished.subject,
    ),
  ),
};

/** How `natsAuthorizationConf` names each user's password. */
export type PasswordOf = (component: NatsComponent) => string;

/** `$NATS_PASSWORD_<COMPONENT>`: an environment variable of the NATS server (from a Secret). */
export const passwordFromEnv: PasswordOf = (component) => `$${natsPasswordEnv(component)}`;

/** The NATS server's environment variable that holds `component`'s password. */
export function natsPasswordEnv(component: NatsComponent): string {
  return `NATS_PASSWORD_${component.toUpperCase().replace(/-/g, '_')}`;
}

const quote = (s: string) => JSON.stringify(s);

/** `<kind>: { allow: [...] }`, one subject a line. */
function list(kind: 'publish' | 'subscribe', subjects: readonly string[]): string[] {
  return [`        ${kind}: { allow: [`, ...subjects.map((s) => `          ${quote(s)}`), '        ] }'];
}

/**
 * The `authorization { users = [...] }` block of nats.conf for every component. `password` gives each
 * user's password as it appears in the file: a `$VARIABLE` (the default, resolved by nats-server from
 * its environment) or a quoted literal (`(c) => JSON.stringify(secret)`, for tests).
 */
export function natsAuthorizationConf(password: PasswordOf = passwordFromEnv): string {
  const lines = [
    '# Generated from libs/events/src/permissions.ts by `node libs/events/dist/scripts/nats-auth-conf.js`.',
    '# Do not edit: change the permissions there and regenerate (a test compares this file with them).',
    'authorization {',
    '  users = [',
  ];
  for (const [component, def] of Object.entries(NATS_USERS) as [NatsComponent, NatsUserDef][]) {
    const p = def.permissions;
    lines.push(
      `    # ${def.description}`,
      '    {',
      `      user: ${quote(def.user)}`,
      `      password: ${password(component)}`,
      '      permissions: {',
      ...list('publish', p.publish),
      ...list('subscribe', p.subscribe),
      ...(p.allowResponses ? ['        allow_responses: true'] : []),
      '      }',
      '    }',
    );
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}
