// What the services promise the deployment (ports, entry points, queues), written down once so the
// manifests are checked against it rather than against themselves.

export interface ComponentContract {
  kind: 'Deployment' | 'StatefulSet';
  /** `api` components serve gRPC to clients and need a PodDisruptionBudget; workers pull from JetStream. */
  tier: 'api' | 'worker';
  entry: string;
  /** The gRPC port; for workers, the grpc.health.v1 port. */
  port: number;
  portEnv: string;
  /** Minimum terminationGracePeriodSeconds: long enough to drain calls or write a checkpoint. */
  minGraceSeconds: number;
  /** Workers: the JetStream durable consumer KEDA scales on. */
  consumer?: string;
  /**
   * Keeps its state in SQLite in its data dir. SQLite is single-writer, so the component must be a
   * StatefulSet with exactly one replica in every overlay and its data dir on a PersistentVolumeClaim
   * (an emptyDir loses the state on every reschedule; two replicas split it or run two writers).
   * Ingest is still held to this, although its jobs moved to NATS: its manifests were not scaled out yet.
   */
  singleWriter?: true;
  /** Connects to NATS (events, work queues, job records). */
  usesNats: boolean;
}

export const HEALTH_PORT = 50060;
export const WORK_STREAM = 'HEADSTART_WORK';
export const NAMESPACE = 'headstart';
export const HEADSTART_IMAGES = ['headstart', 'headstart-gpu'];
export const RUN_AS_USER = 10001;

export const COMPONENTS: Record<string, ComponentContract> = {
  registry: {
    kind: 'StatefulSet',
    tier: 'api',
    entry: 'services/registry/dist/main.js',
    port: 50051,
    portEnv: 'HEADSTART_REGISTRY_PORT',
    minGraceSeconds: 60,
    singleWriter: true,
    usesNats: true,
  },
  ingest: {
    kind: 'StatefulSet',
    tier: 'api',
    entry: 'services/ingest/dist/main.js',
    port: 50052,
    portEnv: 'HEADSTART_INGEST_PORT',
    minGraceSeconds: 60,
    singleWriter: true,
    usesNats: true,
  },
  pretrain: {
    kind: 'Deployment',
    tier: 'api',
    entry: 'services/pretrain/dist/main.js',
    port: 50053,
    portEnv: 'HEADSTART_PRETRAIN_PORT',
    minGraceSeconds: 60,
    usesNats: true,
  },
  finetune: {
    kind: 'StatefulSet',
    tier: 'api',
    entry: 'services/finetune/dist/main.js',
    port: 50054,
    portEnv: 'HEADSTART_FINETUNE_PORT',
    minGraceSeconds: 60,
    singleWriter: true,
    usesNats: true,
  },
  'pretrain-worker': {
    kind: 'Deployment',
    tier: 'worker',
    entry: 'services/pretrain/dist/worker.js',
    port: HEALTH_PORT,
    portEnv: 'HEADSTART_HEALTH_PORT',
    minGraceSeconds: 600,
    consumer: 'pretrain-workers',
    usesNats: true,
  },
  'finetune-worker': {
    kind: 'Deployment',
    tier: 'worker',
    entry: 'services/finetune/dist/worker.js',
    port: HEALTH_PORT,
    portEnv: 'HEADSTART_HEALTH_PORT',
    minGraceSeconds: 120,
    consumer: 'finetune-workers',
    usesNats: true,
  },
};

/** The components that keep SQLite state: single-replica StatefulSets with their data dir on a PVC. */
export const SINGLE_WRITERS = Object.entries(COMPONENTS)
  .filter(([, c]) => c.singleWriter)
  .map(([name]) => name);

export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits `registry:5000/org/name:tag@sha256:...`; the tag is only looked for in the last path segment. */
export function parseImage(image: string): ImageRef {
  const [nameAndTag = '', digest] = image.split('@');
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    repository: hasTag ? nameAndTag.slice(0, colon) : nameAndTag,
    ...(hasTag ? { tag: nameAndTag.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

export function isHeadstartImage(image: string | undefined): boolean {
  if (!image) return false;
  const base = parseImage(image).repository.split('/').pop() ?? '';
  return HEADSTART_IMAGES.includes(base);
}
