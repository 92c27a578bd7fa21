// The checks themselves: each one, fed a rendered overlay with one deliberate defect, reports it. Without
// this a check that silently passes everything would make the manifest tests worthless.
import type { Container, K8sObject, Workload } from './k8s';
import {
  checkAutoscaling,
  checkDisruptionBudgets,
  checkGoverningServices,
  checkGpus,
  checkNats,
  checkSingleWriters,
  natsConfig,
} from './platform-checks';
import { allowed, networkPolicies } from './network-policy';
import { renderOverlay } from './render';
import { checkWiring } from './wiring-checks';
import { checkComponents, checkContainers, checkServices, workloads } from './workload-checks';

let prod: K8sObject[];
beforeAll(() => {
  prod = renderOverlay('prod').objects;
});

function broken(edit: (objects: K8sObject[], w: (name: string) => Workload) => void): K8sObject[] {
  const copy = structuredClone(prod);
  const w = (name: string) => {
    const found = workloads(copy).find((x) => x.metadata.name === name);
    if (!found) throw new Error(`no workload ${name}`);
    return found;
  };
  edit(copy, w);
  return copy;
}

function container(w: Workload): Container {
  const c = w.spec.template.spec.containers[0];
  if (!c) throw new Error(`${w.metadata.name} has no container`);
  return c;
}

test('the unbroken prod overlay passes, so each defect below is what trips its check', () => {
  expect([
    ...checkContainers(prod),
    ...checkServices(prod),
    ...checkWiring(prod),
    ...checkComponents(prod),
    ...checkDisruptionBudgets(prod),
    ...checkSingleWriters(prod),
    ...checkGoverningServices(prod),
  ]).toEqual([]);
});

type Defect = [name: string, edit: (c: Container) => void, message: RegExp];
const containerDefects: Defect[] = [
  [
    'an HTTP readiness probe',
    (c) => (c.readinessProbe = { httpGet: { port: 50053 } }),
    /not a native gRPC probe/,
  ],
  ['no liveness probe', (c) => delete c.livenessProbe, /no livenessProbe/],
  [
    'a probe on a closed port',
    (c) => (c.startupProbe = { grpc: { port: 1, service: '' } }),
    /not a container port/,
  ],
  ['no memory limit', (c) => delete c.resources?.limits?.memory, /no memory limit/],
  [
    'requests above limits',
    (c) => (c.resources = { requests: { cpu: '64', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }),
    /exceeds limit/,
  ],
  [
    'a writable root',
    (c) => (c.securityContext = { ...c.securityContext, readOnlyRootFilesystem: false }),
    /writable/,
  ],
  ['root user', (c) => (c.securityContext = { ...c.securityContext, runAsUser: 0 }), /runAsUser/],
  ['kept capabilities', (c) => (c.securityContext = { ...c.securityContext, capabilities: {} }), /drop ALL/],
  [
    'scratch space not asked for',
    (c) => delete c.resources?.requests?.['ephemeral-storage'],
    /no ephemeral-storage request for its emptyDir volumes/,
  ],
  [
    'less scratch asked for than the emptyDirs allow',
    (c) => {
      if (c.resources?.limits) c.resources.limits['ephemeral-storage'] = '1Mi';
    },
    /ephemeral-storage limit 1Mi is below its emptyDir volumes/,
  ],
  ['an unpinned image', (c) => (c.image = 'ghcr.io/headstart-ml/headstart'), /has no tag/],
  ['the latest tag', (c) => (c.image = 'ghcr.io/headstart-ml/headstart:latest'), /uses latest/],
];

test.each(containerDefects)('checkContainers reports %s', (_name, edit, message) => {
  const objects = broken((_o, w) => edit(container(w('pretrain'))));
  expect(checkContainers(objects).join('\n')).toMatch(message);
});

test('checkServices reports a port without a Service', () => {
  const objects = broken((o) =>
    o.splice(
      o.findIndex((x) => x.kind === 'Service' && x.metadata.name === 'pretrain'),
      1,
    ),
  );
  expect(checkServices(objects).join('\n')).toMatch(/Deployment\/pretrain: port grpc has no Service/);
});

test('checkWiring reports a registry address that names no Service', () => {
  const objects = broken((o) => {
    const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('headstart-config'));
    if (cm?.data) cm.data.HEADSTART_REGISTRY_ADDR = 'registry-typo:50051';
  });
  expect(checkWiring(objects).join('\n')).toMatch(/names no Service/);
});

test('checkDisruptionBudgets reports a budget that blocks drains', () => {
  const objects = broken((o) => {
    const pdb = o.find((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name === 'registry');
    pdb!.spec = { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'registry' } } };
  });
  expect(checkDisruptionBudgets(objects).join('\n')).toMatch(/blocks drains/);
});

test('checkDisruptionBudgets reports a percentage that rounds to no disruption, and the default policy', () => {
  const objects = broken((o) => {
    const pdb = o.find((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name === 'finetune');
    pdb!.spec = { minAvailable: '100%', selector: { matchLabels: { 'app.kubernetes.io/name': 'finetune' } } };
  });
  const problems = checkDisruptionBudgets(objects).join('\n');
  expect(problems).toMatch(/minAvailable 100% with 1 replica\(s\) of StatefulSet\/finetune blocks drains/);
  expect(problems).toMatch(/PodDisruptionBudget\/finetune: unhealthyPodEvictionPolicy is not AlwaysAllow/);
});

// The SQLite services: each way of losing or splitting their state is caught.
type StateDefect = [name: string, edit: (o: K8sObject[], w: (name: string) => Workload) => void, RegExp];
const stateDefects: StateDefect[] = [
  [
    'the finetune data dir reverted to an emptyDir',
    (_o, w) => {
      const s = w('finetune').spec;
      delete s.volumeClaimTemplates;
      s.template.spec.volumes = [...(s.template.spec.volumes ?? []), { name: 'data', emptyDir: {} }];
    },
    /StatefulSet\/finetune: \/var\/lib\/headstart \(volume data\) is an emptyDir/,
  ],
  [
    'an overlay adding an emptyDir over the ingest claim',
    (_o, w) => {
      const pod = w('ingest').spec.template.spec;
      pod.volumes = [...(pod.volumes ?? []), { name: 'data', emptyDir: { sizeLimit: '20Gi' } }];
    },
    /StatefulSet\/ingest: .* is an emptyDir, not its PersistentVolumeClaim/,
  ],
  [
    'the data dir moved off the claim',
    (_o, w) => {
      const c = w('registry').spec.template.spec.containers[0]!;
      c.env = c.env?.map((e) => (e.name === 'HEADSTART_DATA_DIR' ? { ...e, value: '/tmp/data' } : e));
    },
    /StatefulSet\/registry: HEADSTART_DATA_DIR \/tmp\/data is not a mounted volume/,
  ],
  [
    'two ingest replicas',
    (_o, w) => void (w('ingest').spec.replicas = 2),
    /single-writer; replicas must be 1/,
  ],
  [
    'the finetune API as a Deployment',
    (_o, w) => {
      const x = w('finetune') as { kind: string };
      x.kind = 'Deployment';
    },
    /StatefulSet \(one pod, its own volume\)/,
  ],
  [
    'claims deleted with the StatefulSet',
    (_o, w) =>
      void (w('ingest').spec.persistentVolumeClaimRetentionPolicy = {
        whenDeleted: 'Delete',
        whenScaled: 'Retain',
      }),
    /StatefulSet\/ingest: its claims must be retained/,
  ],
];

test.each(stateDefects)('checkSingleWriters reports %s', (_name, edit, message) => {
  expect(checkSingleWriters(broken(edit)).join('\n')).toMatch(message);
});

test('checkGoverningServices reports a missing headless Service and a missing ClusterIP Service', () => {
  const objects = broken((o) => {
    const drop = (name: string) =>
      o.splice(
        o.findIndex((x) => x.kind === 'Service' && x.metadata.name === name),
        1,
      );
    drop('finetune-headless');
    drop('ingest');
  });
  const problems = checkGoverningServices(objects).join('\n');
  expect(problems).toMatch(/StatefulSet\/finetune: serviceName finetune-headless is not a Service/);
  expect(problems).toMatch(/StatefulSet\/ingest: no ClusterIP Service named ingest/);
});

test('checkNats reports lazy fsync and a route list that does not match the pods', () => {
  const objects = broken((o) => {
    const cm = o.find((x) => x.kind === 'ConfigMap' && x.data?.['nats.conf']);
    cm!.data!['nats.conf'] = cm!
      .data!['nats.conf']!.replace('sync_interval: always', 'sync_interval: 2m')
      .replace(/\s*nats:\/\/nats-2\.nats-headless:6222/, '');
  });
  expect(natsConfig(objects)).not.toContain('always');
  const problems = checkNats(objects, 3).join('\n');
  expect(problems).toMatch(/sync_interval is not always/);
  expect(problems).toMatch(/routes .* do not match/);
});

test('checkAutoscaling reports a ScaledObject aimed at a missing Deployment or the wrong consumer', () => {
  const objects = broken((o) => {
    const so = o.find(
      (x) => x.kind === 'ScaledObject' && x.metadata.name === 'pretrain-worker',
    ) as unknown as {
      spec: { scaleTargetRef: { name: string }; triggers: { metadata: Record<string, string> }[] };
    };
    so.spec.scaleTargetRef.name = 'pretrain-workers';
    so.spec.triggers[0]!.metadata.consumer = 'finetune-workers';
  });
  const problems = checkAutoscaling(objects).join('\n');
  expect(problems).toMatch(/does not exist/);
  expect(problems).toMatch(/Deployment\/pretrain-worker: no ScaledObject/);
});

test('checkGpus reports a pretrain worker without its GPU', () => {
  const objects = broken(
    (_o, w) => void delete container(w('pretrain-worker')).resources?.limits?.['nvidia.com/gpu'],
  );
  expect(checkGpus(objects, ['pretrain-worker']).join('\n')).toMatch(/nvidia.com\/gpu limit is 0/);
});

test('checkGpus reports a GPU worker that would fall back to the CPU', () => {
  const objects = broken((_o, w) => {
    const c = container(w('pretrain-worker'));
    c.env = (c.env ?? []).filter((e) => e.name !== 'HEADSTART_BACKEND');
  });
  expect(checkGpus(objects, ['pretrain-worker']).join('\n')).toMatch(/HEADSTART_BACKEND is not gpu/);
});

test('the policy evaluator sees a removed allow policy', () => {
  const objects = broken((o) =>
    o.splice(
      o.findIndex((x) => x.metadata.name === 'allow-registry'),
      1,
    ),
  );
  const [ingest, registry] = ['ingest', 'registry'].map((name) => {
    const w = workloads(objects).find((x) => x.metadata.name === name)!;
    return {
      name,
      namespace: 'headstart',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'headstart' },
      labels: w.spec.template.metadata.labels ?? {},
    };
  });
  expect(allowed(networkPolicies(objects), ingest!, registry!, 50051)).toBe(false);
  expect(allowed(networkPolicies(prod), ingest!, registry!, 50051)).toBe(true);
});
