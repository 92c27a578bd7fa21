// TLS and authentication in the overlays: prod turns both on (cert-manager certificate mounted in every
// Headstart pod, the tokens file in every API, probes on the plaintext health-only port), dev stays
// plaintext without authentication. The restricted securityContext (non-root, read-only root) of every
// container is checked for every overlay in manifests.test.ts (checkContainers).
import * as path from 'node:path';

import { COMPONENTS, HEALTH_PORT } from './contract';
import type { Container, K8sObject, Workload } from './k8s';
import { ofKind } from './k8s';
import { renderOverlay } from './render';
import { resolveEnv } from './wiring-checks';
import { workloads } from './workload-checks';

const prod = renderOverlay('prod').objects;
const dev = renderOverlay('dev').objects;

function containerOf(objects: K8sObject[], name: string): { w: Workload; c: Container } {
  const w = workloads(objects).find((x) => x.metadata.name === name);
  const c = w?.spec.template.spec.containers.find((x) => x.name === name);
  if (!w || !c) throw new Error(`no workload ${name}`);
  return { w, c };
}

/** The Secret mounted at the directory holding `file`, or undefined. */
function secretHolding(w: Workload, c: Container, file: string): string | undefined {
  const mount = (c.volumeMounts ?? []).find((m) => path.dirname(file) === m.mountPath);
  const volume = (w.spec.template.spec.volumes ?? []).find((v) => v.name === mount?.name);
  return volume?.secret?.secretName;
}

describe('prod', () => {
  test.each(Object.keys(COMPONENTS))('%s: TLS files from the cert-manager Secret', (name) => {
    const { w, c } = containerOf(prod, name);
    const env = resolveEnv(prod, c);
    for (const key of ['HEADSTART_TLS_CERT', 'HEADSTART_TLS_KEY', 'HEADSTART_TLS_CA']) {
      const file = env.get(key);
      expect([key, file && secretHolding(w, c, file)]).toEqual([key, 'headstart-grpc-tls']);
    }
  });

  test.each(Object.keys(COMPONENTS).filter((n) => COMPONENTS[n]?.tier === 'api'))(
    '%s: authentication on, probes on the plaintext health-only port',
    (name) => {
      const { w, c } = containerOf(prod, name);
      const env = resolveEnv(prod, c);
      const tokens = env.get('HEADSTART_AUTH_TOKENS_FILE');
      expect(tokens && secretHolding(w, c, tokens)).toBe('headstart-auth-tokens');
      expect(env.get('HEADSTART_PROBE_PORT')).toBe(String(HEALTH_PORT));
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
        expect(probe?.grpc?.port).toBe(HEALTH_PORT);
      }
    },
  );

  test('the certificate names every API address the services dial, for server and client auth', () => {
    type Cert = {
      metadata: { name: string };
      spec: { dnsNames?: string[]; usages?: string[]; secretName: string };
    };
    const cert = ofKind<Cert>(prod, 'Certificate').find((x) => x.spec.secretName === 'headstart-grpc-tls');
    expect(cert?.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
    const env = resolveEnv(prod, containerOf(prod, 'pretrain-worker').c);
    const registryHost = env.get('HEADSTART_REGISTRY_ADDR')?.split(':')[0];
    expect(cert?.spec.dnsNames).toEqual(
      expect.arrayContaining([registryHost, 'registry', 'ingest', 'pretrain', 'finetune']),
    );
  });
});

describe('dev', () => {
  test.each(Object.keys(COMPONENTS))('%s: plaintext, authentication off', (name) => {
    const env = resolveEnv(dev, containerOf(dev, name).c);
    for (const key of ['HEADSTART_TLS_CERT', 'HEADSTART_TLS_CA', 'HEADSTART_AUTH_TOKENS_FILE']) {
      expect([key, env.get(key)]).toEqual([key, undefined]);
    }
  });
});
