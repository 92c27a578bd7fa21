// What the NetworkPolicies of each overlay let through, asked flow by flow: every connection Headstart
// needs is open and the obvious ones it does not need are closed.
import { COMPONENTS } from './contract';
import type { Endpoint, NetworkPolicy } from './network-policy';
import { allowed, networkPolicies } from './network-policy';
import { listOverlays, renderOverlay } from './render';
import { workloads } from './workload-checks';

const SERVICES = Object.keys(COMPONENTS);
const NATS_CLIENTS = SERVICES.filter((name) => COMPONENTS[name]?.usesNats);
const CALLS_REGISTRY = ['ingest', 'pretrain', 'pretrain-worker', 'finetune', 'finetune-worker'];
const API_PORTS: Record<string, number> = {
  registry: 50051,
  ingest: 50052,
  pretrain: 50053,
  finetune: 50054,
};

function outside(
  name: string,
  namespace: string,
  namespaceLabels: Record<string, string>,
  labels = {},
): Endpoint {
  return {
    name,
    namespace,
    namespaceLabels: { 'kubernetes.io/metadata.name': namespace, ...namespaceLabels },
    labels,
  };
}

const client = outside('client', 'apps', { 'headstart.dev/client': 'true' });
const stranger = outside('stranger', 'other', {});
const keda = outside('keda-operator', 'keda', {}, { app: 'keda-operator' });
const kubeDns = outside('kube-dns', 'kube-system', {}, { 'k8s-app': 'kube-dns' });
const backend = outside('tracing-backend', 'observability', {});

describe.each(listOverlays())('network policies of %s', (overlay) => {
  let policies: NetworkPolicy[];
  let pods: Map<string, Endpoint>;
  const pod = (name: string): Endpoint => {
    const p = pods.get(name);
    if (!p) throw new Error(`no workload ${name}`);
    return p;
  };

  beforeAll(() => {
    const { objects } = renderOverlay(overlay);
    policies = networkPolicies(objects);
    pods = new Map(
      workloads(objects).map((w) => [
        w.metadata.name,
        {
          name: w.metadata.name,
          namespace: w.metadata.namespace ?? '',
          namespaceLabels: { 'kubernetes.io/metadata.name': w.metadata.namespace ?? '' },
          labels: w.spec.template.metadata.labels ?? {},
        },
      ]),
    );
  });

  test('clients in a labelled namespace reach every API; other namespaces reach none', () => {
    for (const [name, port] of Object.entries(API_PORTS)) {
      expect([name, allowed(policies, client, pod(name), port)]).toEqual([name, true]);
      expect([name, allowed(policies, stranger, pod(name), port)]).toEqual([name, false]);
    }
  });

  test('services reach the registry, NATS and the collector', () => {
    for (const name of CALLS_REGISTRY)
      expect([name, allowed(policies, pod(name), pod('registry'), 50051)]).toEqual([name, true]);
    for (const name of NATS_CLIENTS)
      expect([name, 'nats', allowed(policies, pod(name), pod('nats'), 4222)]).toEqual([name, 'nats', true]);
    for (const name of SERVICES) {
      expect([name, 'otel', allowed(policies, pod(name), pod('otel-collector'), 4317)]).toEqual([
        name,
        'otel',
        true,
      ]);
    }
  });

  test('every pod resolves names through kube-dns', () => {
    for (const p of pods.values()) {
      expect([p.name, allowed(policies, p, kubeDns, 53, 'UDP')]).toEqual([p.name, true]);
      expect([p.name, allowed(policies, p, kubeDns, 53, 'TCP')]).toEqual([p.name, true]);
    }
  });

  test('NATS servers route to each other and KEDA reads the monitoring port', () => {
    expect(allowed(policies, pod('nats'), pod('nats'), 6222)).toBe(true);
    expect(allowed(policies, keda, pod('nats'), 8222)).toBe(true);
    expect(allowed(policies, stranger, pod('nats'), 8222)).toBe(false);
  });

  test('the collector may export to a backend outside the namespace; services may not reach outside', () => {
    expect(allowed(policies, pod('otel-collector'), backend, 4317)).toBe(true);
    for (const name of SERVICES)
      expect([name, allowed(policies, pod(name), backend, 443)]).toEqual([name, false]);
  });

  test('nothing else is open', () => {
    expect(allowed(policies, client, pod('nats'), 4222)).toBe(false);
    expect(allowed(policies, client, pod('pretrain-worker'), 50060)).toBe(false);
    expect(allowed(policies, client, pod('otel-collector'), 4317)).toBe(false);
    expect(allowed(policies, pod('pretrain-worker'), pod('ingest'), 50052)).toBe(false);
    expect(allowed(policies, pod('registry'), pod('finetune'), 50054)).toBe(false);
    expect(allowed(policies, pod('nats'), pod('registry'), 50051)).toBe(false);
    expect(allowed(policies, pod('ingest'), pod('registry'), 4222)).toBe(false);
  });
});
