// The services' NATS connection over TLS with a password: connectEvents with what natsSecurityOf takes
// from the process's security settings, against a nats-server that requires TLS and a user.
import { connectEvents, natsInboxPrefix } from '@headstart/events';
import { natsSecurityOf } from '@headstart/service-kit';
import { makeTestCertificates, type TestCertificates } from '@headstart/service-kit/testing';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';

describe('NATS over TLS with a user', () => {
  let tmp: TempDir;
  let certs: TestCertificates;
  let nats: NatsServerHandle;

  beforeAll(async () => {
    tmp = await makeTempDir('nats-tls');
    certs = makeTestCertificates(tmp.path);
    nats = await startNatsServer({
      extraArgs: [
        '--tls',
        '--tlscert',
        certs.serverCertFile,
        '--tlskey',
        certs.serverKeyFile,
        '--tlscacert',
        certs.caFile,
        '--user',
        'registry',
        '--pass',
        's3cret-nats-pass',
      ],
    });
  });
  afterAll(async () => {
    await nats?.dispose();
    await tmp?.remove();
  });

  const tlsUrl = () => `tls://localhost:${nats.port}`;
  const user = { natsUser: 'registry', natsPassword: 's3cret-nats-pass' };

  it('connects with the CA and the password, and creates the streams', async () => {
    const url = tlsUrl();
    const bus = await connectEvents({
      servers: url,
      name: 'nats-tls-test',
      waitOnFirstConnect: false,
      ...natsSecurityOf({ tls: { caFile: certs.caFile }, ...user }, url),
    });
    try {
      await bus.ensureTopology();
    } finally {
      await bus.close({ graceMs: 100 });
    }
  });

  it('is refused without TLS settings, with a CA that did not sign the server, or without the password', async () => {
    const other = certs.otherCa();
    const plain = `nats://localhost:${nats.port}`;
    // Thunks, tried one at a time: a connection refused while an earlier one is awaited would otherwise be
    // an unhandled rejection.
    const attempts = [
      // TLS required by the server, no CA given to the client.
      () =>
        connectEvents({
          servers: plain,
          name: 'x',
          waitOnFirstConnect: false,
          ...natsSecurityOf(user, plain),
        }),
      () =>
        connectEvents({
          servers: tlsUrl(),
          name: 'x',
          waitOnFirstConnect: false,
          ...natsSecurityOf({ tls: { caFile: other.caFile }, ...user }, tlsUrl()),
        }),
      () =>
        connectEvents({
          servers: tlsUrl(),
          name: 'x',
          waitOnFirstConnect: false,
          ...natsSecurityOf({ tls: { caFile: certs.caFile } }, tlsUrl()),
        }),
    ];
    const outcomes: string[] = [];
    for (const attempt of attempts) {
      outcomes.push(
        await attempt().then(
          async (bus) => {
            await bus.close({ graceMs: 0 });
            return 'connected';
          },
          (err: Error) => err.message,
        ),
      );
    }
    expect(outcomes).toHaveLength(3);
    // nats.js upgrades to the TLS the server requires, and cannot verify it without the CA.
    expect(outcomes[0]).toMatch(/certificate|verify|tls/i);
    expect(outcomes[1]).toMatch(/certificate|self.signed|verify/i);
    expect(outcomes[2]).toMatch(/authorization/i);
  });

  it('passes TLS settings only to tls:// URLs, and the credentials file always', () => {
    const settings = {
      tls: { caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' },
      natsCredsFile: 'x.creds',
    };
    expect(natsSecurityOf(settings, 'nats://nats:4222')).toEqual({ credsFile: 'x.creds' });
    expect(natsSecurityOf(settings, ['tls://nats:4222'])).toEqual({
      tls: { caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' },
      credsFile: 'x.creds',
    });
    // A user reads its replies on its own inbox, the only one its permissions allow (libs/events permissions.ts).
    expect(natsSecurityOf({ natsUser: 'finetune-worker', natsPassword: 'p' }, 'nats://nats:4222')).toEqual({
      user: 'finetune-worker',
      pass: 'p',
      inboxPrefix: natsInboxPrefix('finetune-worker'),
    });
  });
});
