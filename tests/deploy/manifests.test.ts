// Renders every kustomize overlay with `kubectl kustomize` and holds the result to the platform rules in
// docs/deploy.md: gRPC probes, requests and limits, restricted security context, pinned images, Services,
// disruption budgets, NATS durability, KEDA targets and GPU placement. No cluster is needed.
import { COMPONENTS, SINGLE_WRITERS } from './contract';
import type { K8sObject, Workload } from './k8s';
import { ofKind, parseQuantity, selects } from './k8s';
import { isDefaultDeny, networkPolicies } from './network-policy';
import {
  checkAutoscaling,
  checkDisruptionBudgets,
  checkGoverningServices,
  checkGpus,
  checkNats,
  checkSingleWriters,
  disruptionsAllowed,
} from './platform-checks';
import type { Rendered } from './render';
import { listOverlays, renderOverlay } from './render';
import { checkWiring } from './wiring-checks';
import {
  checkComponents,
  checkContainers,
  checkReferences,
  checkServices,
  workloads,
} from './workload-checks';

const overlays = listOverlays();
const rendered = new Map<string, Rendered>();
function render(overlay: string): Rendered {
  let r = rendered.get(overlay);
  if (!r) rendered.set(overlay, (r = renderOverlay(overlay)));
  return r;
}

function workload(objects: K8sObject[], name: string): Workload {
  const w = workloads(objects).find((x) => x.metadata.name === name);
  if (!w) throw new Error(`no workload ${name}`);
  return w;
}

test('the dev and prod overlays exist', () => {
  expect(overlays).toEqual(expect.arrayContaining(['dev', 'prod']));
});

describe.each(overlays)('overlay %s', (overlay) => {
  const objects = () => render(overlay).objects;

  test('renders with kubectl kustomize', () => {
    expect(objects().length).toBeGreaterThan(20);
  });

  test('never mentions latest (every image is pinned)', () => {
    expect(render(overlay).text).not.toMatch(/latest/i);
  });

  test('every container: probes, requests and limits, restricted security context, pinned image', () => {
    expect(checkContainers(objects())).toEqual([]);
  });

  test('every port is behind a Service and every Service reaches a pod', () => {
    expect(checkServices(objects())).toEqual([]);
  });

  test('ConfigMaps and Secrets that pods use exist; everything is in the headstart namespace', () => {
    expect(checkReferences(objects())).toEqual([]);
  });

  test('the six Headstart components run the contract entry points, ports and grace periods', () => {
    expect(checkComponents(objects())).toEqual([]);
  });

  test('NATS, registry and collector addresses resolve to Services of those components', () => {
    expect(checkWiring(objects())).toEqual([]);
  });

  test('API components have disruption budgets that never block a drain', () => {
    expect(checkDisruptionBudgets(objects())).toEqual([]);
  });

  test('KEDA scales each worker on its JetStream consumer', () => {
    expect(checkAutoscaling(objects())).toEqual([]);
  });

  test('registry, ingest and finetune API: one-replica StatefulSets with their SQLite data dir on a PVC', () => {
    expect(SINGLE_WRITERS).toEqual(['registry', 'ingest', 'finetune']);
    expect(checkSingleWriters(objects())).toEqual([]);
  });

  test('every StatefulSet has a headless governing Service; single writers a ClusterIP one too', () => {
    expect(checkGoverningServices(objects())).toEqual([]);
  });

  test('default deny, and every workload is selected by an allow policy', () => {
    const policies = networkPolicies(objects());
    expect(policies.filter(isDefaultDeny).length).toBeGreaterThanOrEqual(1);
    const allows = policies.filter(
      (p) => !isDefaultDeny(p) && Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0,
    );
    const unselected = workloads(objects())
      .filter((w) => !allows.some((p) => selects(p.spec.podSelector, w.spec.template.metadata.labels)))
      .map((w) => w.metadata.name);
    expect(unselected).toEqual([]);
  });
});

describe('dev', () => {
  const objects = () => render('dev').objects;

  test('one NATS server that fsyncs every write', () => {
    expect(checkNats(objects(), 1)).toEqual([]);
  });

  test('no GPU anywhere; pretrain workers run the CPU image with HEADSTART_BACKEND=auto', () => {
    expect(checkGpus(objects(), [])).toEqual([]);
    const cm = ofKind(objects(), 'ConfigMap').find((c) => c.metadata.name.startsWith('headstart-config'));
    expect(cm?.data?.HEADSTART_BACKEND).toBe('auto');
  });

  test('everything at its maximum scale fits one small node (2 CPUs, 4 GiB requested)', () => {
    let cpu = 0;
    let memory = 0;
    const scaled = ofKind<{ spec: { scaleTargetRef: { name: string }; maxReplicaCount?: number } }>(
      objects(),
      'ScaledObject',
    );
    for (const w of workloads(objects())) {
      const max = scaled.find((s) => s.spec.scaleTargetRef.name === w.metadata.name)?.spec.maxReplicaCount;
      const replicas = max ?? w.spec.replicas ?? 1;
      for (const c of w.spec.template.spec.containers) {
        cpu += replicas * parseQuantity(c.resources?.requests?.cpu ?? 0);
        memory += replicas * parseQuantity(c.resources?.requests?.memory ?? 0);
      }
    }
    expect(cpu).toBeLessThanOrEqual(2);
    expect(memory).toBeLessThanOrEqual(4 * 2 ** 30);
  });
});

describe('prod', () => {
  const objects = () => render('prod').objects;

  test('a three-node JetStream cluster with sync_interval always, one server per node', () => {
    expect(checkNats(objects(), 3)).toEqual([]);
  });

  test('the services create their streams with three replicas, one per JetStream server', () => {
    const maps = ofKind<{ metadata: { name: string }; data?: Record<string, string> }>(
      objects(),
      'ConfigMap',
    );
    const config = maps.find((m) => m.metadata.name.startsWith('headstart-config'));
    expect(config?.data?.['HEADSTART_NATS_STREAM_REPLICAS']).toBe('3');
  });

  test('pretrain workers take one GPU on GPU nodes; nothing else asks for one', () => {
    expect(checkGpus(objects(), ['pretrain-worker'])).toEqual([]);
  });

  test('stateless APIs run at least two replicas, spread over nodes, with minAvailable budgets', () => {
    const pdbs = ofKind<{
      spec: { selector: { matchLabels?: Record<string, string> }; minAvailable?: number };
    }>(objects(), 'PodDisruptionBudget');
    const stateless = Object.entries(COMPONENTS).filter(([, c]) => c.tier === 'api' && !c.singleWriter);
    expect(stateless.map(([name]) => name)).toEqual(['pretrain']);
    for (const [name] of stateless) {
      const w = workload(objects(), name);
      expect(w.spec.replicas ?? 1).toBeGreaterThanOrEqual(2);
      const spread = w.spec.template.spec.topologySpreadConstraints ?? [];
      expect(spread.map((s) => s.topologyKey)).toContain('kubernetes.io/hostname');
      const pdb = pdbs.find((p) => selects(p.spec.selector, w.spec.template.metadata.labels));
      expect(pdb?.spec.minAvailable).toBeGreaterThanOrEqual(1);
    }
  });

  test('GPU workers scale to zero; finetune workers stay on CPU', () => {
    const scaled = ofKind<{ spec: { scaleTargetRef: { name: string }; minReplicaCount?: number } }>(
      objects(),
      'ScaledObject',
    );
    expect(
      scaled.find((s) => s.spec.scaleTargetRef.name === 'pretrain-worker')?.spec.minReplicaCount ?? 0,
    ).toBe(0);
    const finetune = workload(objects(), 'finetune-worker').spec.template.spec;
    expect(finetune.nodeSelector?.['nvidia.com/gpu.present']).toBeUndefined();
  });

  test('the single writers stay one-replica StatefulSets whose budgets let a node drain', () => {
    type PdbSpec = Parameters<typeof disruptionsAllowed>[0];
    const pdbs = ofKind<{ spec: PdbSpec }>(objects(), 'PodDisruptionBudget');
    for (const name of SINGLE_WRITERS) {
      const w = workload(objects(), name);
      expect([name, w.kind, w.spec.replicas]).toEqual([name, 'StatefulSet', 1]);
      expect(w.spec.template.spec.topologySpreadConstraints).toBeUndefined();
      const pdb = pdbs.find((p) => selects(p.spec.selector, w.spec.template.metadata.labels));
      expect([name, pdb && disruptionsAllowed(pdb.spec, 1)]).toEqual([name, 1]);
      expect([name, pdb?.spec.unhealthyPodEvictionPolicy]).toEqual([name, 'AlwaysAllow']);
    }
  });

  test('prod volumes are larger than dev ones (the overlay sizes every claim)', () => {
    const sizes = (overlay: string) =>
      new Map(
        workloads(render(overlay).objects).flatMap((w) =>
          (w.spec.volumeClaimTemplates ?? []).map(
            (t) => [w.metadata.name, parseQuantity(t.spec?.resources?.requests?.storage ?? '0')] as const,
          ),
        ),
      );
    const dev = sizes('dev');
    const prod = sizes('prod');
    expect([...prod.keys()].sort()).toEqual(['finetune', 'ingest', 'nats', 'registry']);
    for (const [name, size] of prod) expect([name, size > (dev.get(name) ?? Infinity)]).toEqual([name, true]);
  });

  test('the collector exports OTLP to a backend', () => {
    const cm = ofKind(objects(), 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('otel-collector-config'),
    );
    expect(cm?.data?.['collector.yaml']).toMatch(/otlp\/backend:[\s\S]*endpoint:/);
  });
});
