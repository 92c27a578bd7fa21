// Service to service over TLS with authentication: the ingest service serves TLS and checks tokens,
// registers what it ingests in a TLS registry with its own token (HEADSTART_TOKEN in production), and
// keeps its jobs on a NATS server it reaches over TLS as its own user, with the permissions generated
// for it (libs/events permissions.ts): a job runs through them without a single violation.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { NATS_USERS, natsAuthorizationConf } from '@headstart/events';
import { createIngestClient, type IngestClient } from '@headstart/ingest-client';
import { common } from '@headstart/proto';
import { createRegistryService, type RegistryServiceHandle } from '@headstart/registry';
import { clientSecurityOf, createLogger, hashToken, type SecuritySettings } from '@headstart/service-kit';
import { makeTestCertificates, type TestCertificates } from '@headstart/service-kit/testing';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';

import { createIngestService, type IngestServiceHandle } from './create-ingest-service';

const SERVICE_TOKEN = 'hs_it_ingest_service_7d1f0c';
const READONLY_SERVICE_TOKEN = 'hs_it_ingest_readonly_3e9b2a';
const USER_TOKEN = 'hs_it_user_c4a8e1';
const NATS_PASSWORD = 'nats_it_ingest_5b0e93';

const logger = createLogger({ name: 'ingest-secure-it', level: 'silent' });

describe('ingest and registry over TLS with tokens', () => {
  let tmp: TempDir;
  let certs: TestCertificates;
  let tokensFile: string;
  let registry: RegistryServiceHandle;
  let nats: NatsServerHandle;
  let natsUrl: string;
  const running: IngestServiceHandle[] = [];
  const clients: IngestClient[] = [];

  beforeAll(async () => {
    tmp = await makeTempDir('ingest-secure');
    certs = makeTestCertificates(tmp.path);
    tokensFile = `${tmp.path}/tokens.json`;
    fs.writeFileSync(
      tokensFile,
      JSON.stringify({
        tokens: [
          { identity: 'ingest-service', sha256: hashToken(SERVICE_TOKEN), roles: ['write'] },
          { identity: 'ingest-readonly', sha256: hashToken(READONLY_SERVICE_TOKEN), roles: ['read'] },
          { identity: 'user', sha256: hashToken(USER_TOKEN), roles: ['write'] },
        ],
      }),
    );
    const natsConf = path.join(tmp.path, 'nats.conf');
    fs.writeFileSync(
      natsConf,
      natsAuthorizationConf((c) => JSON.stringify(c === 'ingest' ? NATS_PASSWORD : c)),
    );
    nats = await startNatsServer({
      extraArgs: [
        ...[
          '--config',
          natsConf,
          '--tls',
          '--tlscert',
          certs.serverCertFile,
          '--tlskey',
          certs.serverKeyFile,
        ],
        ...['--tlscacert', certs.caFile],
      ],
    });
    natsUrl = `tls://localhost:${new URL(nats.url).port}`;
    registry = await createRegistryService({
      dataDir: `${tmp.path}/registry`,
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 2_000,
      logger,
      security: serverSecurity(),
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const ingest of running) await ingest.shutdown('test done');
    await registry?.shutdown('test done');
    await nats?.dispose();
    await tmp?.remove();
  });

  function serverSecurity(token?: string, natsUser?: string): SecuritySettings {
    return {
      tls: {
        certFile: certs.serverCertFile,
        keyFile: certs.serverKeyFile,
        caFile: certs.caFile,
        serverNameOverride: 'localhost',
      },
      authTokensFile: tokensFile,
      token,
      ...(natsUser === undefined ? {} : { natsUser, natsPassword: NATS_PASSWORD }),
    };
  }

  async function startIngest(serviceToken: string): Promise<IngestServiceHandle> {
    const ingest = await createIngestService({
      dataDir: `${tmp.path}/ingest-${running.length}`,
      registryAddress: `127.0.0.1:${registry.port}`,
      natsUrl,
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 1_000,
      progressIntervalMs: 50,
      logger,
      security: serverSecurity(serviceToken, NATS_USERS.ingest.user),
    });
    running.push(ingest);
    return ingest;
  }

  function connect(ingest: IngestServiceHandle, token?: string): IngestClient {
    const client = createIngestClient({
      address: `127.0.0.1:${ingest.port}`,
      ...clientSecurityOf({ tls: { caFile: certs.caFile, serverNameOverride: 'localhost' }, token }),
    });
    clients.push(client);
    return client;
  }

  const corpus = Buffer.from('the cat sat\n\nthe dog ran\n\nthe bird flew\n');

  it('uploads through ingest into the registry, each hop authenticated', async () => {
    const ingest = await startIngest(SERVICE_TOKEN);
    const anonymous = await connect(ingest)
      .uploadCorpus({ datasetName: 'secure-corpus' }, corpus)
      .catch((err: { code: number }) => err.code);
    expect(anonymous).toBe(16); // UNAUTHENTICATED
    const client = connect(ingest, USER_TOKEN);
    const upload = await client.uploadCorpus({ datasetName: 'secure-corpus' }, corpus);
    expect(upload.version).toMatchObject({ modelName: 'secure-corpus', version: 1 });
    const id = await client.startTrainTokenizer({
      dataset: 'secure-corpus',
      tokenizerName: 'secure-tokenizer',
      vocabSize: 40,
    });
    expect(await client.watchJob(id)).toMatchObject({ state: common.JobState.JOB_STATE_SUCCEEDED });
    expect(nats.logs()).not.toMatch(/Violation/i);
  });

  it('fails the upload when the service token may only read the registry', async () => {
    const ingest = await startIngest(READONLY_SERVICE_TOKEN);
    const err = await connect(ingest, USER_TOKEN)
      .uploadCorpus({ datasetName: 'secure-corpus-2' }, corpus)
      .then(
        () => undefined,
        (e: { code: number; message: string }) => e,
      );
    expect(err?.message).toContain("ingest-readonly lacks the role 'write'");
  });
});
