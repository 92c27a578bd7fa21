// The registry as production runs it: TLS with client certificates accepted, authentication on, and the
// typed client configured the way every service and worker configures its connections
// (clientSecurityOf). Checks the roles, the recorded actor, and that no planted token reaches a log line.
import * as fs from 'node:fs';
import { Readable } from 'node:stream';

import { createRegistryService, type RegistryServiceHandle } from '@headstart/registry';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import { clientSecurityOf, createLogger, hashToken, type SecuritySettings } from '@headstart/service-kit';
import { makeTestCertificates, type TestCertificates } from '@headstart/service-kit/testing';
import { makeTempDir, type TempDir } from '@headstart/testing';

const TOKENS = {
  reader: 'hs_e2e_reader_5c0f3a9d71e2',
  writer: 'hs_e2e_writer_2b7e81d4c9a0',
  admin: 'hs_e2e_admin_9a14e6f0b3c8',
};

/** The gRPC codes the clients' HeadstartErrors carry. */
const Code = { DEADLINE_EXCEEDED: 4, PERMISSION_DENIED: 7, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

async function failure(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    const { code, message } = err as { code: number; message: string };
    return { code, message };
  }
  throw new Error('expected the call to fail');
}

describe('a TLS registry with authentication', () => {
  let tmp: TempDir;
  let certs: TestCertificates;
  let registry: RegistryServiceHandle;
  const logLines: string[] = [];
  const clients: RegistryClient[] = [];

  beforeAll(async () => {
    tmp = await makeTempDir('security-e2e');
    certs = makeTestCertificates(tmp.path);
    const tokensFile = `${tmp.path}/tokens.json`;
    fs.writeFileSync(
      tokensFile,
      JSON.stringify({
        tokens: [
          { identity: 'reader', sha256: hashToken(TOKENS.reader), roles: ['read'] },
          { identity: 'ci-writer', sha256: hashToken(TOKENS.writer), roles: ['write'] },
          { identity: 'release-manager', sha256: hashToken(TOKENS.admin), roles: ['admin'] },
        ],
        certificates: [{ identity: 'pretrain-worker', roles: ['write'] }],
      }),
    );
    registry = await createRegistryService({
      dataDir: `${tmp.path}/registry`,
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({
        name: 'registry',
        level: 'trace',
        destination: { write: (line: string) => void logLines.push(line) },
      }),
      drainTimeoutMs: 2_000,
      security: {
        tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile },
        authTokensFile: tokensFile,
      },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await registry?.shutdown('test done');
    await tmp?.remove();
  });

  function connect(security: SecuritySettings): RegistryClient {
    const client = createRegistryClient({
      address: `127.0.0.1:${registry.port}`,
      deadlineMs: 5_000,
      actor: 'claimed-by-the-client',
      ...clientSecurityOf(security),
    });
    clients.push(client);
    return client;
  }
  const tls = () => ({ caFile: certs.caFile, serverNameOverride: 'localhost' });
  const withToken = (token: string) => connect({ tls: tls(), token });

  it('answers UNAUTHENTICATED to a TLS call without a credential, and refuses plaintext', async () => {
    expect((await failure(connect({ tls: tls() }).getModel('any'))).code).toBe(Code.UNAUTHENTICATED);
    const plaintext = connect({ token: TOKENS.admin });
    expect<number[]>([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED]).toContain(
      (await failure(plaintext.getModel('any', { deadlineMs: 1_500 }))).code,
    );
  });

  it('lets roles decide who may change a protected alias, and records who did', async () => {
    const writer = withToken(TOKENS.writer);
    const admin = withToken(TOKENS.admin);
    const reader = withToken(TOKENS.reader);
    for (const text of ['one', 'two']) {
      await writer.createVersion(
        { modelName: 'sec-corpus', kind: 'dataset' },
        Readable.from([Buffer.from(text)]),
      );
    }
    // Protecting an alias needs admin.
    const protect = { modelName: 'sec-corpus', alias: 'production', version: 1, protected: true };
    const denied = await failure(writer.setAlias(protect));
    expect(denied.code).toBe(Code.PERMISSION_DENIED);
    expect(denied.message).toContain("lacks the role 'admin'");
    await admin.setAlias(protect);

    const move = { modelName: 'sec-corpus', alias: 'production', version: 2, overrideProtection: true };
    const byReader = await failure(reader.setAlias(move));
    expect(byReader.code).toBe(Code.PERMISSION_DENIED);
    expect(byReader.message).toMatch(/reader lacks the role 'write'/);
    expect((await failure(writer.setAlias(move))).code).toBe(Code.PERMISSION_DENIED);
    expect((await reader.getVersion('sec-corpus@production')).version).toBe(1);

    await admin.setAlias(move);
    expect((await reader.getVersion('sec-corpus@production')).version).toBe(2);
    const history = await reader.getAliasHistory('sec-corpus', 'production');
    expect(history.map((e) => [e.toVersion, e.actor])).toEqual([
      [2, 'release-manager'],
      [1, 'release-manager'],
    ]);
    // A stream is checked before its first message: a reader's upload is refused and creates nothing.
    const upload = await failure(
      reader.createVersion({ modelName: 'sec-corpus', kind: 'dataset' }, Readable.from([Buffer.from('x')])),
    );
    expect(upload.code).toBe(Code.PERMISSION_DENIED);
    expect((await reader.getVersion('sec-corpus')).version).toBe(2);
    // Deleting is admin's.
    expect((await failure(writer.deleteVersion('sec-corpus:1'))).code).toBe(Code.PERMISSION_DENIED);
  });

  it('accepts a known client certificate as the credential (mTLS identity)', async () => {
    const worker = certs.client('pretrain-worker');
    const client = connect({ tls: { ...tls(), certFile: worker.certFile, keyFile: worker.keyFile } });
    await expect(client.getModel('sec-corpus')).resolves.toMatchObject({ name: 'sec-corpus' });
    const stranger = certs.client('stranger');
    const unknown = connect({ tls: { ...tls(), certFile: stranger.certFile, keyFile: stranger.keyFile } });
    const refused = await failure(unknown.getModel('sec-corpus'));
    expect(refused.code).toBe(Code.UNAUTHENTICATED);
    expect(refused.message).toContain("'stranger' is not in the tokens file");
  });

  it('writes no token into any log line', () => {
    expect(logLines.length).toBeGreaterThan(3);
    const all = logLines.join('\n');
    for (const token of Object.values(TOKENS)) expect(all).not.toContain(token);
    expect(all).toContain('lacks the role');
  });
});
