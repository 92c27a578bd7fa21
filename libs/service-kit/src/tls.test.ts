import * as fs from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { Code } from '@headstart/errors';
import { registry } from '@headstart/proto';
import { freePort, makeTempDir, waitFor, type TempDir } from '@headstart/testing';

import { clientSecurityOf } from './client-security';
import type { SecuritySettings, TlsSettings } from './security-config';
import { checkHealth, getVersion, startFixture } from './test-fixture';
import { makeTestCertificates, type TestCertificates } from './testing/test-certificates';
import type { RunningService } from './create-service';

describe('TLS and mTLS on a real server', () => {
  let tmp: TempDir;
  let certs: TestCertificates;
  const services: RunningService[] = [];
  const clients: grpc.Client[] = [];

  beforeAll(async () => {
    tmp = await makeTempDir('kit-tls-');
    certs = makeTestCertificates(tmp.path);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(services.splice(0).map((s) => s.shutdown('test done')));
  });
  afterAll(() => tmp.remove());

  function serverTls(overrides: Partial<TlsSettings> = {}): SecuritySettings {
    return {
      tls: {
        certFile: certs.serverCertFile,
        keyFile: certs.serverKeyFile,
        caFile: certs.caFile,
        ...overrides,
      },
    };
  }

  async function serve(security: SecuritySettings) {
    const fixture = await startFixture({ security });
    services.push(fixture.service);
    clients.push(fixture.client);
    return fixture;
  }

  function connect(address: string, security: SecuritySettings | undefined): registry.RegistryServiceClient {
    const { credentials, channelOptions } = clientSecurityOf(security);
    const client = new registry.RegistryServiceClient(address, credentials, channelOptions);
    clients.push(client);
    return client;
  }

  it('serves over TLS a client that trusts the CA, and refuses a plaintext client', async () => {
    const { service, lines } = await serve(serverTls());
    expect(lines.find((l) => l['msg'] === 'kit-test listening')).toMatchObject({ tls: 'tls', auth: 'off' });
    const secure = connect(service.address, { tls: { caFile: certs.caFile } });
    await expect(getVersion(secure, 'm')).resolves.toMatchObject({ version: { modelName: 'm' } });

    const plaintext = connect(service.address, undefined);
    const refused = await getVersion(plaintext, 'm', 1500).then(
      () => undefined,
      (err: grpc.ServiceError) => err.code,
    );
    expect([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED]).toContain(refused);
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const other = certs.otherCa();
    const { service } = await serve(serverTls({ certFile: other.certFile, keyFile: other.keyFile }));
    const client = connect(service.address, { tls: { caFile: certs.caFile } });
    await expect(getVersion(client, 'm', 1500)).rejects.toMatchObject({ code: Code.UNAVAILABLE });
  });

  it('with mTLS, refuses a client without a certificate and serves one with a certificate of the CA', async () => {
    const { service, lines } = await serve(serverTls({ requireClientCert: true }));
    expect(lines.find((l) => l['msg'] === 'kit-test listening')).toMatchObject({ tls: 'mtls' });
    const anonymous = connect(service.address, { tls: { caFile: certs.caFile } });
    await expect(getVersion(anonymous, 'm', 1500)).rejects.toMatchObject({ code: Code.UNAVAILABLE });

    const worker = certs.client('pretrain-worker');
    const identified = connect(service.address, {
      tls: { caFile: certs.caFile, certFile: worker.certFile, keyFile: worker.keyFile },
    });
    await expect(getVersion(identified, 'm')).resolves.toMatchObject({ version: { modelName: 'm' } });
  });

  it('answers plaintext health probes on the probe port only, with the main port still on mTLS', async () => {
    const probePort = await freePort();
    const { service } = await serve({ ...serverTls({ requireClientCert: true }), probePort });
    expect(service.probePort).toBe(probePort);
    await expect(checkHealth(`localhost:${probePort}`, '')).resolves.toBe('SERVING');
    const refused = await getVersion(connect(`localhost:${probePort}`, undefined), 'm', 1500).then(
      () => undefined,
      (err: grpc.ServiceError) => err.code,
    );
    expect(refused).toBe(Code.UNIMPLEMENTED);
    await service.shutdown('test done');
    await expect(checkHealth(`localhost:${probePort}`, '')).rejects.toBeDefined();
  });

  it('takes a renewed certificate from the same files without a restart', async () => {
    const files = await makeTempDir('kit-tls-rotate-');
    try {
      const cert = `${files.path}/tls.crt`;
      const key = `${files.path}/tls.key`;
      fs.copyFileSync(certs.serverCertFile, cert);
      fs.copyFileSync(certs.serverKeyFile, key);
      const { service } = await serve({ tls: { certFile: cert, keyFile: key, reloadIntervalMs: 200 } });
      await expect(
        getVersion(connect(service.address, { tls: { caFile: certs.caFile } }), 'm'),
      ).resolves.toBeDefined();

      // Rotate to a certificate of another CA: only clients trusting that CA can connect afterwards.
      const other = certs.otherCa();
      fs.copyFileSync(other.keyFile, key);
      fs.copyFileSync(other.certFile, cert);
      await waitFor(
        async () => {
          const client = connect(service.address, { tls: { caFile: other.caFile } });
          return getVersion(client, 'm', 1000).then(
            () => true,
            () => false,
          );
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );
    } finally {
      await files.remove();
    }
  });

  it('fails at start, clearly, on a missing key or a wrong path', async () => {
    await expect(startFixture({ security: { tls: { certFile: certs.serverCertFile } } })).rejects.toThrow(
      /HEADSTART_TLS_KEY/,
    );
    await expect(
      startFixture({ security: serverTls({ certFile: `${tmp.path}/missing.crt` }) }),
    ).rejects.toThrow(/cannot read the TLS certificate .*missing\.crt/);
    await expect(
      startFixture({ security: { tls: { ...serverTls().tls, caFile: undefined, requireClientCert: true } } }),
    ).rejects.toThrow(/HEADSTART_TLS_CA/);
  });
});
