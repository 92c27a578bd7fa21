// The whole loop as prod runs it, every hop secured: each service and worker as its own process (its
// dist entry point, configured only by HEADSTART_* variables), gRPC over TLS with authentication on and
// the services' own token, NATS over TLS with a user and password. A tiny pre-training run's final
// checkpoint fires a fine-tune that the worker trains and registers. Clients without TLS or without a
// credential are refused, and no planted secret reaches any process's log.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { Code, HeadstartError } from '@headstart/errors';
import { createFinetuneClient, type FinetuneClient } from '@headstart/finetune-client';
import { createPretrainClient, type PretrainClient } from '@headstart/pretrain-client';
import { common } from '@headstart/proto';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import { clientSecurityOf, hashToken, type SecuritySettings } from '@headstart/service-kit';
import { makeTestCertificates, type TestCertificates } from '@headstart/service-kit/testing';
import { makeTempDir, waitFor, type TempDir } from '@headstart/testing';

import { registerTinyData, tinyRunSpec } from '../faults/fixtures';
import { startFaultStack, type FaultStack } from '../faults/processes';

const SERVICES_TOKEN = 'hs_loop_services_61f0c2a9e4b7d853';
const USER_TOKEN = 'hs_loop_user_0d9b3e7a52c1f486';
const NATS_PASSWORD = 'nats_loop_pw_7e21c09ab4';
const MODEL = 'secure-bert';

jest.setTimeout(180_000);

describe('the loop with TLS, tokens and a NATS user on every hop', () => {
  let dir: TempDir;
  let certs: TestCertificates;
  let stack: FaultStack;
  const clients: { close(): void }[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('secure-loop');
    certs = makeTestCertificates(dir.path);
    const tokensFile = path.join(dir.path, 'tokens.json');
    fs.writeFileSync(
      tokensFile,
      JSON.stringify({
        tokens: [
          { identity: 'headstart-services', sha256: hashToken(SERVICES_TOKEN), roles: ['write'] },
          { identity: 'alice', sha256: hashToken(USER_TOKEN), roles: ['write'] },
        ],
      }),
    );
    stack = await startFaultStack({
      dir: dir.path,
      ackWaitMs: 5_000,
      nats: {
        extraArgs: [
          '--tls',
          '--tlscert',
          certs.serverCertFile,
          '--tlskey',
          certs.serverKeyFile,
          '--tlscacert',
          certs.caFile,
          '--user',
          'headstart',
          '--pass',
          NATS_PASSWORD,
        ],
        url: (port) => `tls://localhost:${port}`,
      },
      watchAll: [new RegExp([SERVICES_TOKEN, USER_TOKEN, NATS_PASSWORD].join('|'))],
      env: {
        HEADSTART_TLS_CERT: certs.serverCertFile,
        HEADSTART_TLS_KEY: certs.serverKeyFile,
        HEADSTART_TLS_CA: certs.caFile,
        HEADSTART_AUTH_TOKENS_FILE: tokensFile,
        HEADSTART_TOKEN: SERVICES_TOKEN,
        HEADSTART_NATS_USER: 'headstart',
        HEADSTART_NATS_PASSWORD: NATS_PASSWORD,
      },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await stack?.close();
    await dir?.remove();
  });

  const secure = (token?: string): SecuritySettings => ({
    tls: { caFile: certs.caFile },
    ...(token ? { token } : {}),
  });
  function registryClient(security: SecuritySettings): RegistryClient {
    const client = createRegistryClient({ address: stack.registryAddress, ...clientSecurityOf(security) });
    clients.push(client);
    return client;
  }
  function pretrainClient(security: SecuritySettings): PretrainClient {
    const client = createPretrainClient({ address: stack.pretrainAddress, ...clientSecurityOf(security) });
    clients.push(client);
    return client;
  }
  function finetuneClient(security: SecuritySettings): FinetuneClient {
    const client = createFinetuneClient({ address: stack.finetuneAddress, ...clientSecurityOf(security) });
    clients.push(client);
    return client;
  }
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => Code.OK,
      (err: unknown) => (err instanceof HeadstartError ? err.code : Code.UNKNOWN),
    );

  it('runs pre-training → checkpoint event → triggered fine-tune, every call and message secured', async () => {
    const registry = registryClient(secure(USER_TOKEN));
    await registerTinyData(registry, dir.path);
    const finetune = finetuneClient(secure(USER_TOKEN));
    const trigger = await finetune.createTrigger({
      baseModel: MODEL,
      on: 'final',
      spec: {
        dataset: 'fault-spam',
        epochs: 1,
        batchSize: 8,
        learningRate: 3e-3,
        seed: 4,
        patience: 0,
        minSteps: 0,
      },
    });
    const run = await pretrainClient(secure(USER_TOKEN)).startRun(tinyRunSpec(MODEL, 8));
    const job = await waitFor(
      async () =>
        (await finetune.listFinetunes({ triggerId: trigger.id })).finetunes.find(
          (j) =>
            j.state === common.JobState.JOB_STATE_SUCCEEDED || j.state === common.JobState.JOB_STATE_FAILED,
        ),
      {
        timeoutMs: 150_000,
        intervalMs: 250,
        message: 'the run, its checkpoint event and the fine-tune it fires',
      },
    );
    expect(job.error).toBe('');
    expect(job.state).toBe(common.JobState.JOB_STATE_SUCCEEDED);
    const result = await registry.getVersion(`${job.resultVersion!.modelName}:${job.resultVersion!.version}`);
    const base = await registry.getVersion(`${MODEL}@final`);
    expect(base.runId).toBe(run.id);
    expect(result.parents.find((p) => p.relation === 'finetuned_from')?.versionId).toBe(base.id);
  });

  it('refuses a client without TLS, and a TLS client without a credential', async () => {
    expect([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED]).toContain(
      await codeOf(registryClient({ token: USER_TOKEN }).getModel('x', { deadlineMs: 1_500 })),
    );
    expect(await codeOf(pretrainClient(secure()).listRuns({}))).toBe(Code.UNAUTHENTICATED);
    expect(await codeOf(finetuneClient(secure()).listTriggers())).toBe(Code.UNAUTHENTICATED);
    expect(await codeOf(registryClient(secure('hs_not_a_known_token')).getModel('x'))).toBe(
      Code.UNAUTHENTICATED,
    );
  });

  it('writes no planted secret into any process log', () => {
    // Every line every process printed was matched against the secrets (the ring buffers keep only the last).
    const processes = Object.values(stack.processes);
    expect(processes.reduce((n, p) => n + p.printed.lines, 0)).toBeGreaterThan(50);
    expect(processes.flatMap((p) => p.watched.filter((line) => /hs_loop_|nats_loop_pw/.test(line)))).toEqual(
      [],
    );
  });
});
