// The addresses in the services' configuration point at Services that exist and expose that port, so a
// renamed Service or a changed port cannot silently cut a component off.
import { COMPONENTS } from './contract';
import type { Container, K8sObject } from './k8s';
import { ofKind, ref, selects } from './k8s';
import { workloads } from './workload-checks';

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: { port: number; targetPort?: number | string }[];
}

/** A container's environment as the kubelet builds it: envFrom ConfigMaps in order, then `env`. */
export function resolveEnv(objects: K8sObject[], c: Container): Map<string, string> {
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    if (!from.configMapRef) continue;
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name);
    for (const [k, v] of Object.entries(cm?.data ?? {})) env.set(k, v);
  }
  for (const e of c.env ?? []) if (e.value !== undefined) env.set(e.name, e.value);
  return env;
}

/** `host:port`, `nats://host:port` or `http://host:port` → the Service it names (same namespace). */
function serviceFor(
  objects: K8sObject[],
  address: string,
): { svc?: K8sObject & { spec: ServiceSpec }; port: number } {
  const m = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)\/?$/.exec(address);
  if (!m || !m[1] || !m[2]) return { port: NaN };
  const host = m[1].split('.')[0];
  const svc = ofKind<{ spec: ServiceSpec }>(objects, 'Service').find((s) => s.metadata.name === host);
  return { ...(svc ? { svc } : {}), port: Number(m[2]) };
}

function checkAddress(
  objects: K8sObject[],
  where: string,
  name: string,
  value: string | undefined,
  workload: string,
): string[] {
  if (!value) return [`${where}: ${name} is not set`];
  const { svc, port } = serviceFor(objects, value);
  if (!svc) return [`${where}: ${name}=${value} names no Service`];
  if (!(svc.spec.ports ?? []).some((p) => p.port === port))
    return [`${where}: ${name}=${value}: ${ref(svc)} has no port ${port}`];
  const target = workloads(objects).find((w) => w.metadata.name === workload);
  if (!target || !selects({ matchLabels: svc.spec.selector ?? {} }, target.spec.template.metadata.labels)) {
    return [`${where}: ${name}=${value}: ${ref(svc)} does not select ${workload}`];
  }
  return [];
}

export function checkWiring(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const serviceNames = new Set<string>();
  for (const [name, contract] of Object.entries(COMPONENTS)) {
    const w = workloads(objects).find((x) => x.metadata.name === name);
    const c = w?.spec.template.spec.containers.find((x) => x.name === name);
    if (!w || !c) continue; // reported by checkComponents
    const where = `${ref(w)} container ${c.name}`;
    const env = resolveEnv(objects, c);
    if (contract.usesNats)
      out.push(...checkAddress(objects, where, 'HEADSTART_NATS_URL', env.get('HEADSTART_NATS_URL'), 'nats'));
    out.push(
      ...checkAddress(
        objects,
        where,
        'HEADSTART_REGISTRY_ADDR',
        env.get('HEADSTART_REGISTRY_ADDR'),
        'registry',
      ),
    );
    out.push(
      ...checkAddress(
        objects,
        where,
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        env.get('OTEL_EXPORTER_OTLP_ENDPOINT'),
        'otel-collector',
      ),
    );
    if (env.get('HEADSTART_OTEL_EXPORTER') !== 'otlp')
      out.push(`${where}: HEADSTART_OTEL_EXPORTER is not otlp`);
    if (!['auto', 'gpu', 'tensorflow', 'wasm', 'cpu'].includes(env.get('HEADSTART_BACKEND') ?? '')) {
      out.push(`${where}: HEADSTART_BACKEND is not one of auto|gpu|tensorflow|wasm|cpu`);
    }
    const serviceName = env.get('OTEL_SERVICE_NAME');
    if (!serviceName) out.push(`${where}: OTEL_SERVICE_NAME is not set`);
    else if (serviceNames.has(serviceName))
      out.push(`${where}: OTEL_SERVICE_NAME ${serviceName} is not unique`);
    else serviceNames.add(serviceName);
  }
  return out;
}
