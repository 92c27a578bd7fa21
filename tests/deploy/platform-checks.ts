// Checks that span objects: disruption budgets, the NATS cluster, KEDA autoscaling, GPUs, storage and
// the presence of network policies (their effect is checked in network-policies.test.ts).
import { COMPONENTS, SINGLE_WRITERS, WORK_STREAM, isHeadstartImage, parseImage } from './contract';
import type { K8sObject, LabelSelector, ServiceSpec, Workload } from './k8s';
import { ofKind, parseQuantity, ref, selects } from './k8s';
import { workloads } from './workload-checks';

type Pdb = {
  spec: {
    selector: LabelSelector;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    unhealthyPodEvictionPolicy?: string;
  };
};

function podLabels(w: Workload) {
  return w.spec.template.metadata.labels;
}

/** Pods a budget lets a drain evict while all `replicas` are healthy (Kubernetes rounds percentages up). */
export function disruptionsAllowed(pdb: Pdb['spec'], replicas: number): number {
  const count = (v: number | string) =>
    typeof v === 'number' ? v : Math.ceil((replicas * Number.parseFloat(v)) / 100);
  if (pdb.maxUnavailable !== undefined && pdb.maxUnavailable !== null) return count(pdb.maxUnavailable);
  if (pdb.minAvailable !== undefined && pdb.minAvailable !== null)
    return Math.max(0, replicas - count(pdb.minAvailable));
  return 0;
}

export function checkDisruptionBudgets(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const pdbs = ofKind<Pdb>(objects, 'PodDisruptionBudget');
  for (const [name, contract] of Object.entries(COMPONENTS)) {
    if (contract.tier !== 'api') continue;
    const w = workloads(objects).find((x) => x.metadata.name === name);
    if (!w) continue;
    const mine = pdbs.filter((p) => selects(p.spec.selector, podLabels(w)));
    if (mine.length === 0) out.push(`${ref(w)}: no PodDisruptionBudget`);
    // A pod that never becomes ready (crash loop, stuck start) must not hold a drain either; the default
    // policy (IfHealthyBudget) keeps it whenever the budget is not met, which for one replica is always.
    for (const p of mine)
      if (p.spec.unhealthyPodEvictionPolicy !== 'AlwaysAllow')
        out.push(
          `${ref(p)}: unhealthyPodEvictionPolicy is not AlwaysAllow (a not-ready pod can hold a drain)`,
        );
  }
  for (const p of pdbs) {
    const targets = workloads(objects).filter((w) => selects(p.spec.selector, podLabels(w)));
    if (targets.length === 0) out.push(`${ref(p)}: selects no workload`);
    for (const w of targets) {
      const replicas = w.spec.replicas ?? 1;
      // A budget that can never be met turns every node drain into a hang.
      if (disruptionsAllowed(p.spec, replicas) < 1) {
        const rule =
          p.spec.maxUnavailable !== undefined && p.spec.maxUnavailable !== null
            ? `maxUnavailable ${p.spec.maxUnavailable}`
            : `minAvailable ${p.spec.minAvailable}`;
        out.push(`${ref(p)}: ${rule} with ${replicas} replica(s) of ${ref(w)} blocks drains`);
      }
    }
  }
  return out;
}

/** The nats.conf mounted into the NATS pods. */
export function natsConfig(objects: K8sObject[]): string | undefined {
  const nats = workloads(objects).find((w) => w.metadata.name === 'nats');
  const volume = nats?.spec.template.spec.volumes?.find((v) => v.configMap);
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume?.configMap?.name);
  return cm?.data?.['nats.conf'];
}

/** The text of a top-level `name { ... }` block of a NATS config (blocks nest at most one level here). */
function block(conf: string, name: string): string | undefined {
  const start = new RegExp(`^\\s*${name}\\s*[:=]?\\s*\\{`, 'm').exec(conf);
  if (!start) return undefined;
  let depth = 0;
  for (let i = start.index + start[0].length - 1; i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    if (conf[i] === '}' && --depth === 0) return conf.slice(start.index, i + 1);
  }
  return undefined;
}

export function checkNats(objects: K8sObject[], expectedReplicas: number): string[] {
  const out: string[] = [];
  const nats = workloads(objects).find((w) => w.metadata.name === 'nats');
  if (!nats || nats.kind !== 'StatefulSet') return ['nats: no StatefulSet'];
  const replicas = nats.spec.replicas ?? 1;
  if (replicas !== expectedReplicas)
    out.push(`${ref(nats)}: ${replicas} replicas, expected ${expectedReplicas}`);
  if (!(nats.spec.volumeClaimTemplates ?? []).length)
    out.push(`${ref(nats)}: JetStream store is not on a PVC`);
  const conf = natsConfig(objects);
  if (!conf) return [...out, `${ref(nats)}: no nats.conf mounted`];
  const js = block(conf, 'jetstream');
  if (!js) out.push('nats.conf: JetStream is not enabled');
  else if (!/^\s*sync_interval\s*[:=]\s*"?always"?\s*$/m.test(js))
    out.push('nats.conf: jetstream.sync_interval is not always');
  const cluster = block(conf, 'cluster');
  if (replicas > 1) {
    if (!cluster) return [...out, `nats.conf: ${replicas} replicas but no cluster block`];
    const routes = [...cluster.matchAll(/nats-route:\/\/([^:\s]+):\d+|nats:\/\/([^:\s]+):\d+/g)].map(
      (m) => m[1] ?? m[2],
    );
    const expected = Array.from({ length: replicas }, (_, i) => `nats-${i}.${nats.spec.serviceName}`);
    if (routes.slice().sort().join(',') !== expected.join(',')) {
      out.push(`nats.conf: routes ${routes.join(', ')} do not match the pods ${expected.join(', ')}`);
    }
    const anti = JSON.stringify(nats.spec.template.spec.affinity ?? {});
    if (!anti.includes('requiredDuringScheduling') || !anti.includes('kubernetes.io/hostname')) {
      out.push(`${ref(nats)}: cluster members may share a node (no required hostname anti-affinity)`);
    }
  } else if (cluster) out.push('nats.conf: a cluster block on a single server');
  return out;
}

type ScaledObject = {
  spec: {
    scaleTargetRef: { name: string; kind?: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: { type: string; metadata: Record<string, string> }[];
  };
};

export function checkAutoscaling(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const scaled = ofKind<ScaledObject>(objects, 'ScaledObject');
  for (const so of scaled) {
    const { name, kind = 'Deployment' } = so.spec.scaleTargetRef;
    const target = workloads(objects).find((w) => w.metadata.name === name && w.kind === kind);
    if (!target) out.push(`${ref(so)}: scales ${kind}/${name}, which does not exist`);
    if ((so.spec.minReplicaCount ?? 0) > (so.spec.maxReplicaCount ?? 100)) out.push(`${ref(so)}: min > max`);
    const consumer = COMPONENTS[name]?.consumer;
    const trigger = so.spec.triggers.find((t) => t.type === 'nats-jetstream');
    if (!trigger) {
      out.push(`${ref(so)}: no nats-jetstream trigger`);
      continue;
    }
    const m = trigger.metadata;
    if (m.stream !== WORK_STREAM) out.push(`${ref(so)}: stream ${m.stream}, expected ${WORK_STREAM}`);
    if (m.consumer !== consumer) out.push(`${ref(so)}: consumer ${m.consumer}, expected ${consumer}`);
    if (!(Number(m.lagThreshold) >= 1)) out.push(`${ref(so)}: lagThreshold must be a positive integer`);
    // KEDA runs in its own namespace and reaches a clustered server as <server_name>.<headless service>.
    const [host = '', port] = (m.natsServerMonitoringEndpoint ?? '').split(':');
    const [svcName, ns] = host.split('.');
    const svc = ofKind<{ spec: { clusterIP?: string; ports?: { port: number }[] } }>(objects, 'Service').find(
      (s) => s.metadata.name === svcName,
    );
    if (!svc || ns !== svc.metadata.namespace)
      out.push(`${ref(so)}: monitoring endpoint ${host} is not a Service in this stack`);
    else if (svc.spec.clusterIP !== 'None')
      out.push(`${ref(so)}: monitoring endpoint must be the headless Service`);
    else if (!(svc.spec.ports ?? []).some((p) => String(p.port) === port))
      out.push(`${ref(so)}: ${ref(svc)} has no port ${port}`);
  }
  for (const [name, contract] of Object.entries(COMPONENTS)) {
    if (contract.tier !== 'worker') continue;
    const w = workloads(objects).find((x) => x.metadata.name === name);
    if (!w) continue;
    if (!scaled.some((so) => so.spec.scaleTargetRef.name === name)) out.push(`${ref(w)}: no ScaledObject`);
    // kubectl apply would reset a KEDA-managed count on every deploy.
    else if (w.spec.replicas !== undefined) out.push(`${ref(w)}: sets replicas although KEDA owns them`);
  }
  return out;
}

function gpus(w: Workload): { requests: number; limits: number } {
  const sum = (k: 'requests' | 'limits') =>
    w.spec.template.spec.containers.reduce(
      (n, c) => n + parseQuantity(c.resources?.[k]?.['nvidia.com/gpu'] ?? 0),
      0,
    );
  return { requests: sum('requests'), limits: sum('limits') };
}

/** `gpuWorkers`: workloads that must run on one GPU each; every other workload must not ask for one. */
export function checkGpus(objects: K8sObject[], gpuWorkers: string[]): string[] {
  const out: string[] = [];
  for (const w of workloads(objects)) {
    const g = gpus(w);
    const pod = w.spec.template.spec;
    const image = pod.containers.map((c) => c.image ?? '').find(isHeadstartImage);
    const gpuImage = image !== undefined && parseImage(image).repository.endsWith('-gpu');
    if (!gpuWorkers.includes(w.metadata.name)) {
      if (g.limits > 0 || g.requests > 0) out.push(`${ref(w)}: asks for a GPU`);
      if (gpuImage) out.push(`${ref(w)}: runs the GPU image without a GPU`);
      continue;
    }
    if (g.limits !== 1) out.push(`${ref(w)}: nvidia.com/gpu limit is ${g.limits}, expected 1`);
    if (g.requests !== 0 && g.requests !== g.limits) out.push(`${ref(w)}: GPU request differs from limit`);
    if (!gpuImage) out.push(`${ref(w)}: does not run the GPU image`);
    // Without HEADSTART_BACKEND=gpu a worker whose GPU is unusable would train on the CPU holding the GPU.
    const backend = pod.containers
      .filter((c) => isHeadstartImage(c.image))
      .map((c) => (c.env ?? []).find((e) => e.name === 'HEADSTART_BACKEND')?.value);
    if (!backend.every((b) => b === 'gpu'))
      out.push(`${ref(w)}: HEADSTART_BACKEND is not gpu (fail fast without a GPU)`);
    if (Object.keys(pod.nodeSelector ?? {}).length === 0)
      out.push(`${ref(w)}: no nodeSelector for GPU nodes`);
    if (!(pod.tolerations ?? []).some((t) => t.key === 'nvidia.com/gpu'))
      out.push(`${ref(w)}: no toleration for GPU taints`);
  }
  return out;
}

/**
 * Components that keep SQLite state (registry, ingest, finetune API): a StatefulSet with exactly one
 * replica whose data dir is a PersistentVolumeClaim from its volumeClaimTemplates — never an emptyDir,
 * which loses the database on every reschedule — kept when the StatefulSet is deleted or scaled.
 */
export function checkSingleWriters(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const name of SINGLE_WRITERS) {
    const w = workloads(objects).find((x) => x.metadata.name === name);
    if (!w) {
      out.push(`${name}: no workload`);
      continue;
    }
    if (w.kind !== 'StatefulSet')
      out.push(`${ref(w)}: keeps SQLite state, so it must be a StatefulSet (one pod, its own volume)`);
    if ((w.spec.replicas ?? 1) !== 1)
      out.push(`${ref(w)}: SQLite is single-writer; replicas must be 1, not ${w.spec.replicas}`);
    const pod = w.spec.template.spec;
    const c = pod.containers.find((x) => x.name === name);
    const dataDir = c?.env?.find((e) => e.name === 'HEADSTART_DATA_DIR')?.value;
    const mount = c?.volumeMounts?.find((m) => m.mountPath === dataDir);
    if (!dataDir || !mount) {
      out.push(`${ref(w)}: HEADSTART_DATA_DIR ${dataDir ?? '(unset)'} is not a mounted volume`);
      continue;
    }
    const template = (w.spec.volumeClaimTemplates ?? []).find((t) => t.metadata.name === mount.name);
    const podVolume = (pod.volumes ?? []).find((v) => v.name === mount.name);
    if (podVolume) {
      const what = podVolume.emptyDir ? 'an emptyDir' : 'a pod volume';
      out.push(`${ref(w)}: ${dataDir} (volume ${mount.name}) is ${what}, not its PersistentVolumeClaim`);
    }
    if (!template) {
      out.push(`${ref(w)}: ${dataDir} is not backed by a volumeClaimTemplate`);
      continue;
    }
    const modes = template.spec?.accessModes ?? [];
    if (!modes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod'))
      out.push(`${ref(w)}: claim ${template.metadata.name} is not ReadWriteOnce(Pod): ${modes.join(', ')}`);
    const size = template.spec?.resources?.requests?.storage;
    if (!size || !(parseQuantity(size) > 0))
      out.push(`${ref(w)}: claim ${template.metadata.name} requests no storage`);
    const retain = w.spec.persistentVolumeClaimRetentionPolicy ?? {};
    if (retain.whenDeleted !== 'Retain' || retain.whenScaled !== 'Retain')
      out.push(`${ref(w)}: its claims must be retained when the StatefulSet is deleted or scaled`);
  }
  return out;
}

/**
 * Every StatefulSet names a headless governing Service that selects its pods (stable pod DNS), and the
 * single writers are also behind a normal ClusterIP Service, which is what their clients dial.
 */
export function checkGoverningServices(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const services = ofKind<{ spec: ServiceSpec }>(objects, 'Service');
  const selecting = (w: Workload) =>
    services.filter(
      (s) => s.spec.selector && selects({ matchLabels: s.spec.selector }, w.spec.template.metadata.labels),
    );
  for (const w of workloads(objects)) {
    if (w.kind !== 'StatefulSet') continue;
    const governing = services.find((s) => s.metadata.name === w.spec.serviceName);
    if (!governing) out.push(`${ref(w)}: serviceName ${w.spec.serviceName ?? '(unset)'} is not a Service`);
    else if (governing.spec.clusterIP !== 'None')
      out.push(`${ref(w)}: governing ${ref(governing)} is not headless`);
    else if (!selecting(w).includes(governing))
      out.push(`${ref(w)}: ${ref(governing)} does not select its pods`);
  }
  for (const name of SINGLE_WRITERS) {
    const w = workloads(objects).find((x) => x.metadata.name === name);
    if (w && !selecting(w).some((s) => s.metadata.name === name && s.spec.clusterIP !== 'None'))
      out.push(`${ref(w)}: no ClusterIP Service named ${name} for its clients`);
  }
  return out;
}
