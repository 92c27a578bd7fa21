// Checks on every Deployment/StatefulSet and its containers. Each returns a list of violations (empty
// when the manifests are right) so that a failure names every broken object at once.
import { COMPONENTS, NAMESPACE, RUN_AS_USER, isHeadstartImage, parseImage } from './contract';
import type { Container, K8sObject, PodSpec, Probe, Workload } from './k8s';
import { isWorkload, ofKind, parseQuantity, ref, selects } from './k8s';

export function workloads(objects: K8sObject[]): Workload[] {
  return objects.filter(isWorkload);
}

function allContainers(pod: PodSpec): Container[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

function probeProblems(where: string, c: Container, headstart: boolean): string[] {
  const out: string[] = [];
  const ports = new Set((c.ports ?? []).map((p) => p.containerPort));
  const probes: [string, Probe | undefined, boolean][] = [
    ['readinessProbe', c.readinessProbe, true],
    ['livenessProbe', c.livenessProbe, true],
    // Headstart processes load models or open databases before serving: they all get a startup probe.
    ['startupProbe', c.startupProbe, headstart],
  ];
  for (const [name, probe, required] of probes) {
    if (!probe) {
      if (required) out.push(`${where}: no ${name}`);
      continue;
    }
    if (!headstart) {
      if (!probe.grpc && !probe.httpGet && !probe.tcpSocket && !probe.exec)
        out.push(`${where}: ${name} has no handler`);
      continue;
    }
    if (!probe.grpc) out.push(`${where}: ${name} is not a native gRPC probe`);
    else {
      if (!ports.has(probe.grpc.port))
        out.push(`${where}: ${name} probes port ${probe.grpc.port}, not a container port`);
      if (probe.grpc.service !== '')
        out.push(`${where}: ${name} must check the overall server (service: "")`);
    }
  }
  return out;
}

function resourceProblems(where: string, c: Container): string[] {
  const out: string[] = [];
  for (const r of ['cpu', 'memory']) {
    const req = c.resources?.requests?.[r];
    const lim = c.resources?.limits?.[r];
    if (req === undefined) out.push(`${where}: no ${r} request`);
    if (lim === undefined) out.push(`${where}: no ${r} limit`);
    if (req !== undefined && lim !== undefined && parseQuantity(req) > parseQuantity(lim)) {
      out.push(`${where}: ${r} request ${req} exceeds limit ${lim}`);
    }
  }
  return out;
}

function securityProblems(where: string, pod: PodSpec, c: Container): string[] {
  const out: string[] = [];
  const podSc = pod.securityContext ?? {};
  const sc = c.securityContext ?? {};
  // Container settings override the pod's; what matters is the effective value.
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${where}: runAsNonRoot is not true`);
  if ((sc.runAsUser ?? podSc.runAsUser) !== RUN_AS_USER)
    out.push(`${where}: runAsUser is not ${RUN_AS_USER}`);
  if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== 'RuntimeDefault') {
    out.push(`${where}: seccompProfile is not RuntimeDefault`);
  }
  if (sc.readOnlyRootFilesystem !== true) out.push(`${where}: root filesystem is writable`);
  if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${where}: capabilities do not drop ALL`);
  if ((sc.capabilities?.add ?? []).length > 0) out.push(`${where}: adds capabilities`);
  return out;
}

/**
 * Scratch space is asked for, not assumed: a container's ephemeral-storage request and limit cover the
 * emptyDir volumes it mounts (their sizeLimits), so the scheduler places the pod where the disk is, and the
 * kubelet does not evict it for using what its own volumes allow.
 */
function ephemeralStorageProblems(where: string, pod: PodSpec, c: Container): string[] {
  const mounted = new Set((c.volumeMounts ?? []).map((m) => m.name));
  const scratch = (pod.volumes ?? [])
    .filter((v) => v.emptyDir && mounted.has(v.name))
    .reduce((sum, v) => sum + parseQuantity(v.emptyDir?.sizeLimit ?? '0'), 0);
  if (scratch === 0) return [];
  const out: string[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    const value = c.resources?.[kind]?.['ephemeral-storage'];
    if (value === undefined)
      out.push(`${where}: no ephemeral-storage ${kind.slice(0, -1)} for its emptyDir volumes`);
    else if (parseQuantity(value) < scratch) {
      out.push(
        `${where}: ephemeral-storage ${kind.slice(0, -1)} ${value} is below its emptyDir volumes' ${scratch} bytes`,
      );
    }
  }
  return out;
}

function imageProblems(where: string, c: Container): string[] {
  if (!c.image) return [`${where}: no image`];
  const img = parseImage(c.image);
  if (!img.tag && !img.digest) return [`${where}: image ${c.image} has no tag`];
  if (img.tag === 'latest') return [`${where}: image ${c.image} uses latest`];
  return [];
}

/** A read-only root needs somewhere to write: /tmp and the data dir must be mounted volumes. */
function writableDirProblems(where: string, pod: PodSpec, c: Container): string[] {
  const out: string[] = [];
  const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
  const tmp = mounts.get('/tmp');
  const tmpVolume = (pod.volumes ?? []).find((v) => v.name === tmp);
  if (!tmpVolume?.emptyDir) out.push(`${where}: /tmp is not an emptyDir`);
  const dataDir = (c.env ?? []).find((e) => e.name === 'HEADSTART_DATA_DIR')?.value;
  if (!dataDir) out.push(`${where}: HEADSTART_DATA_DIR is not set`);
  else if (!mounts.has(dataDir)) out.push(`${where}: HEADSTART_DATA_DIR ${dataDir} is not a mounted volume`);
  return out;
}

export function checkContainers(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const accounts = new Map(ofKind(objects, 'ServiceAccount').map((sa) => [sa.metadata.name, sa]));
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    if (pod.automountServiceAccountToken !== false) out.push(`${ref(w)}: mounts a service account token`);
    const sa = pod.serviceAccountName ? accounts.get(pod.serviceAccountName) : undefined;
    if (!sa)
      out.push(`${ref(w)}: service account ${pod.serviceAccountName ?? '(default)'} is not in the manifests`);
    else if (sa.automountServiceAccountToken !== false)
      out.push(`ServiceAccount/${sa.metadata.name}: automounts its token`);
    for (const c of allContainers(pod)) {
      const where = `${ref(w)} container ${c.name}`;
      const headstart = isHeadstartImage(c.image);
      out.push(...probeProblems(where, c, headstart));
      out.push(...resourceProblems(where, c));
      out.push(...securityProblems(where, pod, c));
      out.push(...imageProblems(where, c));
      if (headstart)
        out.push(...writableDirProblems(where, pod, c), ...ephemeralStorageProblems(where, pod, c));
    }
  }
  return out;
}

/** Every port a pod opens (health ports aside) is reachable through a Service that selects the pod. */
export function checkServices(objects: K8sObject[]): string[] {
  const out: string[] = [];
  type Svc = { selector?: Record<string, string>; ports?: { port: number; targetPort?: number | string }[] };
  const services = ofKind<{ spec: Svc }>(objects, 'Service');
  const all = workloads(objects);
  for (const w of all) {
    const labels = w.spec.template.metadata.labels;
    const mine = services.filter((s) => s.spec.selector && selects({ matchLabels: s.spec.selector }, labels));
    for (const c of w.spec.template.spec.containers) {
      for (const p of c.ports ?? []) {
        if (p.name === 'health') continue;
        const served = mine.some((s) =>
          (s.spec.ports ?? []).some(
            (sp) => (sp.targetPort ?? sp.port) === p.name || (sp.targetPort ?? sp.port) === p.containerPort,
          ),
        );
        if (!served) out.push(`${ref(w)}: port ${p.name ?? p.containerPort} has no Service`);
      }
    }
  }
  for (const s of services) {
    const targets = all.filter(
      (w) => s.spec.selector && selects({ matchLabels: s.spec.selector }, w.spec.template.metadata.labels),
    );
    if (targets.length === 0) out.push(`${ref(s)}: selects no workload`);
    const ports = targets.flatMap((w) => w.spec.template.spec.containers.flatMap((c) => c.ports ?? []));
    for (const sp of s.spec.ports ?? []) {
      const target = sp.targetPort ?? sp.port;
      if (targets.length > 0 && !ports.some((p) => p.name === target || p.containerPort === target)) {
        out.push(`${ref(s)}: targetPort ${target} is not a container port of the pods it selects`);
      }
    }
  }
  return out;
}

/** ConfigMaps and Secrets referenced by pods exist (generated names carry a hash, so a typo is silent). */
export function checkReferences(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const have = (kind: string, name: string) =>
    objects.some((o) => o.kind === kind && o.metadata.name === name);
  for (const o of objects) {
    if (o.kind !== 'Namespace' && o.metadata.namespace !== NAMESPACE)
      out.push(`${ref(o)}: not in namespace ${NAMESPACE}`);
  }
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    for (const c of allContainers(pod)) {
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef && !e.configMapRef.optional && !have('ConfigMap', e.configMapRef.name)) {
          out.push(`${ref(w)}: envFrom ConfigMap ${e.configMapRef.name} does not exist`);
        }
        if (e.secretRef && !e.secretRef.optional && !have('Secret', e.secretRef.name)) {
          out.push(`${ref(w)}: envFrom Secret ${e.secretRef.name} does not exist and is not optional`);
        }
      }
    }
    for (const v of pod.volumes ?? []) {
      if (v.configMap && !v.configMap.optional && !have('ConfigMap', v.configMap.name)) {
        out.push(`${ref(w)}: volume ConfigMap ${v.configMap.name} does not exist`);
      }
    }
  }
  return out;
}

/** The six Headstart components exist as the contract describes them. */
export function checkComponents(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const [name, contract] of Object.entries(COMPONENTS)) {
    const w = workloads(objects).find((x) => x.metadata.name === name);
    if (!w) {
      out.push(`${name}: no workload`);
      continue;
    }
    if (w.kind !== contract.kind) out.push(`${ref(w)}: expected a ${contract.kind}`);
    const pod = w.spec.template.spec;
    const c = pod.containers.find((x) => x.name === name);
    if (!c) {
      out.push(`${ref(w)}: no container named ${name}`);
      continue;
    }
    if ((c.command ?? []).join(' ') !== `node ${contract.entry}`)
      out.push(`${ref(w)}: command is not node ${contract.entry}`);
    if (!(c.ports ?? []).some((p) => p.containerPort === contract.port))
      out.push(`${ref(w)}: does not open ${contract.port}`);
    const portEnv = (c.env ?? []).find((e) => e.name === contract.portEnv)?.value;
    if (portEnv !== String(contract.port))
      out.push(`${ref(w)}: ${contract.portEnv} is ${portEnv}, not ${contract.port}`);
    if ((pod.terminationGracePeriodSeconds ?? 30) < contract.minGraceSeconds) {
      out.push(`${ref(w)}: terminationGracePeriodSeconds < ${contract.minGraceSeconds}`);
    }
  }
  return out;
}
