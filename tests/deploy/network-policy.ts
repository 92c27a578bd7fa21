// A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics) so the tests can ask "may A reach B
// on port P?" of the rendered policies instead of restating their YAML.
import type { K8sObject, LabelSelector, Labels } from './k8s';
import { ofKind, selects } from './k8s';

export interface Endpoint {
  name: string;
  namespace: string;
  namespaceLabels: Labels;
  labels: Labels;
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}

interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}

export interface NetworkPolicy {
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: Rule[];
    egress?: Rule[];
  };
}

export function networkPolicies(objects: K8sObject[]): NetworkPolicy[] {
  return ofKind<NetworkPolicy>(objects, 'NetworkPolicy');
}

function types(p: NetworkPolicy): string[] {
  // Defaulting rules of the API: Ingress always, Egress only when egress rules are given.
  return p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return false; // pod traffic is judged by selectors; ipBlocks are for outside the cluster
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, other.namespaceLabels)
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, other.labels) : true;
  return nsOk && podOk;
}

function portMatches(rule: Rule, port: number, protocol: string): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  return rule.ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string')
      throw new Error(`named port ${p.port}: use numbers so policies can be checked`);
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
  });
}

function ruleAllows(
  rule: Rule,
  peers: Peer[] | undefined,
  ns: string,
  other: Endpoint,
  port: number,
  proto: string,
) {
  const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, ns, other));
  return peerOk && portMatches(rule, port, proto);
}

/**
 * Whether `from` may open a connection to `to` on `port`: the source's egress policies and the
 * destination's ingress policies must both allow it (a pod no policy of a type selects is open in that
 * direction). Only policies in the pod's own namespace apply to it.
 */
export function allowed(
  policies: NetworkPolicy[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: 'TCP' | 'UDP' = 'TCP',
): boolean {
  const applying = (pod: Endpoint, type: 'Ingress' | 'Egress') =>
    policies.filter(
      (p) =>
        (p.metadata.namespace ?? '') === pod.namespace &&
        types(p).includes(type) &&
        selects(p.spec.podSelector, pod.labels),
    );
  const egress = applying(from, 'Egress');
  const egressOk =
    egress.length === 0 ||
    egress.some((p) =>
      (p.spec.egress ?? []).some((r) => ruleAllows(r, r.to, from.namespace, to, port, protocol)),
    );
  const ingress = applying(to, 'Ingress');
  const ingressOk =
    ingress.length === 0 ||
    ingress.some((p) =>
      (p.spec.ingress ?? []).some((r) => ruleAllows(r, r.from, to.namespace, from, port, protocol)),
    );
  return egressOk && ingressOk;
}

/** A policy that selects every pod and allows nothing in either direction. */
export function isDefaultDeny(p: NetworkPolicy): boolean {
  const all =
    Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 &&
    !p.spec.podSelector.matchExpressions?.length;
  const t = types(p);
  return (
    all && t.includes('Ingress') && t.includes('Egress') && !p.spec.ingress?.length && !p.spec.egress?.length
  );
}
