// NATS users in the overlays: prod gives every component that uses NATS its own user (the permissions
// generated from libs/events permissions.ts), with its password from the Secret headstart-nats-users,
// and the NATS servers the same passwords; dev stays open (no users, no credentials).
import { NATS_USERS, natsAuthorizationConf, natsPasswordEnv, type NatsComponent } from '@headstart/events';

import { COMPONENTS } from './contract';
import type { Container, EnvVar, K8sObject } from './k8s';
import { natsConfig } from './platform-checks';
import { renderOverlay } from './render';
import { resolveEnv } from './wiring-checks';
import { workloads } from './workload-checks';

const prod = renderOverlay('prod').objects;
const dev = renderOverlay('dev').objects;
const SECRET = 'headstart-nats-users';

function container(objects: K8sObject[], name: string): Container {
  const c = workloads(objects)
    .find((w) => w.metadata.name === name)
    ?.spec.template.spec.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

const envVar = (c: Container, name: string): EnvVar | undefined => (c.env ?? []).find((e) => e.name === name);
const secretKey = (e: EnvVar | undefined) =>
  (e?.valueFrom as { secretKeyRef?: { name: string; key: string; optional?: boolean } } | undefined)
    ?.secretKeyRef;

const natsUsers = Object.keys(COMPONENTS).filter((n) => COMPONENTS[n]?.usesNats);

test('every component that uses NATS has a user in the permissions, and only those', () => {
  expect(Object.keys(NATS_USERS).sort()).toEqual([...natsUsers].sort());
});

describe('prod', () => {
  test.each(natsUsers)('%s: connects as its own user, password from the Secret', (name) => {
    const c = container(prod, name);
    expect(envVar(c, 'HEADSTART_NATS_USER')?.value).toBe(NATS_USERS[name as NatsComponent].user);
    const key = secretKey(envVar(c, 'HEADSTART_NATS_PASSWORD'));
    expect(key).toEqual({ name: SECRET, key: name });
  });

  test('the NATS servers know every password, from the same Secret keys', () => {
    const nats = container(prod, 'nats');
    for (const name of natsUsers) {
      expect(secretKey(envVar(nats, natsPasswordEnv(name as NatsComponent)))).toEqual({
        name: SECRET,
        key: name,
      });
    }
  });

  test('nats.conf includes the generated users and permissions', () => {
    expect(natsConfig(prod)).toMatch(/^include \.\/nats-auth\.conf$/m);
    const cm = prod.find(
      (o) => o.kind === 'ConfigMap' && (o as { data?: Record<string, string> }).data?.['nats-auth.conf'],
    ) as { data: Record<string, string> } | undefined;
    expect(cm?.data['nats-auth.conf']).toBe(natsAuthorizationConf());
  });
});

describe('prod NATS TLS', () => {
  test.each(natsUsers)('%s: dials NATS with tls:// and the CA', (name) => {
    const env = resolveEnv(prod, container(prod, name));
    expect(env.get('HEADSTART_NATS_URL')).toMatch(/^tls:\/\//);
    expect(env.get('HEADSTART_TLS_CA')).toBeDefined();
  });

  test('the servers present the shared certificate, which names the NATS host the services dial', () => {
    const conf = natsConfig(prod) ?? '';
    const files = ['cert_file', 'key_file', 'ca_file'].map((k) => new RegExp(`${k}: (\\S+)`).exec(conf)?.[1]);
    const nats = workloads(prod).find((w) => w.metadata.name === 'nats');
    const mount = container(prod, 'nats').volumeMounts?.find((m) =>
      files.every((f) => f?.startsWith(`${m.mountPath}/`)),
    );
    const volume = nats?.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe('headstart-grpc-tls');
    type Cert = { spec: { secretName: string; dnsNames?: string[] } };
    const cert = prod.find(
      (o) => o.kind === 'Certificate' && (o as unknown as Cert).spec.secretName === 'headstart-grpc-tls',
    ) as unknown as Cert | undefined;
    const host = /^tls:\/\/([^:]+):/.exec(
      resolveEnv(prod, container(prod, 'registry')).get('HEADSTART_NATS_URL') ?? '',
    )?.[1];
    expect(cert?.spec.dnsNames).toEqual(expect.arrayContaining([host, 'nats.headstart.svc']));
  });
});

describe('dev', () => {
  test('NATS stays plaintext', () => {
    expect(natsConfig(dev)).not.toMatch(/^tls \{/m);
    expect(resolveEnv(dev, container(dev, 'registry')).get('HEADSTART_NATS_URL')).toMatch(/^nats:\/\//);
  });

  test('NATS stays open: no users in nats.conf, no credentials in any pod', () => {
    expect(natsConfig(dev)).not.toMatch(/authorization|include/);
    for (const name of Object.keys(COMPONENTS)) {
      const c = container(dev, name);
      expect([name, envVar(c, 'HEADSTART_NATS_USER'), envVar(c, 'HEADSTART_NATS_PASSWORD')]).toEqual([
        name,
        undefined,
        undefined,
      ]);
    }
  });
});
