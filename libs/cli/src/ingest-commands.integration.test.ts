import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createIngestService } from '@headstart/ingest';
import { createRegistryService } from '@headstart/registry';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { ExitCode } from './exit-codes';
import { cliTestRunner } from './cli-test-runner';

/* The ingest commands through runCli (the binary's path) against a real registry, ingest and nats-server. */

let nats: NatsServerHandle;
let dirs: TempDir[];
let work: TempDir;
let registry: Awaited<ReturnType<typeof createRegistryService>>;
let ingest: Awaited<ReturnType<typeof createIngestService>>;

const { cli, cliJson } = cliTestRunner(() => ({
  defaultRegistry: registry.address,
  defaultIngest: ingest.address,
}));

interface JobJson {
  id: string;
  state: string;
  result?: { modelName: string; version: number };
  errorCode?: string;
}

beforeAll(async () => {
  const logger = createLogger({ name: 'cli-ingest-it', level: 'silent' });
  nats = await startNatsServer();
  dirs = [await makeTempDir('cli-ingest-registry'), await makeTempDir('cli-ingest-ingest')];
  work = await makeTempDir('cli-ingest-work');
  registry = await createRegistryService({
    dataDir: dirs[0]!.path,
    natsUrl: nats.url,
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 1_000,
    logger,
  });
  ingest = await createIngestService({
    dataDir: dirs[1]!.path,
    registryAddress: registry.address,
    natsUrl: nats.url,
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 1_000,
    logger,
  });
  const lines = Array.from({ length: 60 }, (_, i) => `line ${i % 7} says hello to the ${i % 5} world`);
  await fs.writeFile(path.join(work.path, 'corpus.txt.gz'), gzipSync(lines.join('\n')));
  await fs.writeFile(path.join(work.path, 'not-a-tokenizer.json'), '{"hello": 1}');
  const task = Array.from({ length: 30 }, (_, i) => ({
    id: `t${i}`,
    text: `definition ${i} of a ${i % 2 === 0 ? 'plant' : 'beast'} near the ${i % 3} hills`,
    label: i % 2 === 0 ? 'botany' : 'zoology',
    split: i < 20 ? 'train' : i < 25 ? 'dev' : 'test',
  }));
  await fs.writeFile(path.join(work.path, 'task.jsonl'), task.map((r) => JSON.stringify(r)).join('\n'));
});

afterAll(async () => {
  await ingest?.shutdown();
  await registry?.shutdown();
  await nats?.dispose();
  for (const dir of [...(dirs ?? []), work]) await dir?.remove();
});

describe('headstart corpus / tokenizer / tokenize / jobs', () => {
  it('uploads, trains and tokenizes, each as a registry version', async () => {
    const corpusFile = path.join(work.path, 'corpus.txt.gz');
    const upload = await cliJson<{
      version: { modelName: string; version: number };
      stats: Record<string, number>;
    }>(
      'corpus',
      'upload',
      corpusFile,
      '--name',
      'greetings',
      '--format',
      'lines',
      '--validation-fraction',
      '0.2',
      '--tag',
      'lang:en',
    );
    expect(upload.version).toMatchObject({ modelName: 'greetings', version: 1 });
    expect(upload.stats).toMatchObject({
      documents: 35,
      duplicatesDropped: 25,
      trainDocuments: 28,
      validationDocuments: 7,
    });

    const human = await cli('corpus', 'upload', corpusFile, '--name', 'greetings', '--format', 'lines');
    expect(human.code).toBe(ExitCode.OK);
    expect(human.stdout).toMatch(/^uploaded greetings:2 /);
    expect(human.stdout).toMatch(/documents: +35 \(train 33, validation 2\)/);
    expect(human.stdout).toMatch(/dropped: +25 duplicates, 0 empty/);

    const trained = await cliJson<{ job: JobJson }>(
      'tokenizer',
      'train',
      'greetings:1',
      '--name',
      'greet-wp',
      '--vocab-size',
      '80',
    );
    expect(trained.job).toMatchObject({
      state: 'JOB_STATE_SUCCEEDED',
      result: { modelName: 'greet-wp', version: 1 },
    });

    const detached = await cliJson<{ jobId: string }>(
      'tokenize',
      'greetings:1',
      'greet-wp',
      '--name',
      'greet-shards',
      '--detach',
    );
    const watched = await cli('jobs', 'watch', detached.jobId);
    expect(watched.code).toBe(ExitCode.OK);
    expect(watched.stdout).toMatch(/state: +succeeded/);
    expect(watched.stdout).toMatch(/result: +greet-shards:1/);

    const lineage = await cli('lineage', 'greet-shards:1', '--ancestors');
    expect(lineage.stdout).toMatch(/greet-wp:1/);
    expect(lineage.stdout).toMatch(/tokenized_with/);
    expect(lineage.stdout).toMatch(/derived_from/);

    const got = await cliJson<{ job: JobJson }>('jobs', 'get', detached.jobId);
    expect(got.job.result).toMatchObject({ modelName: 'greet-shards' });
    const cancelled = await cliJson<{ job: JobJson }>('jobs', 'cancel', detached.jobId);
    expect(cancelled.job.state).toBe('JOB_STATE_SUCCEEDED'); // already finished: left as it is

    const listed = await cliJson<{ jobs: JobJson[] }>('jobs', 'ls', '--state', 'succeeded');
    expect(listed.jobs.map((j) => j.id)).toEqual([detached.jobId, trained.job.id]);
    const table = await cli('jobs', 'ls', '--limit', '1');
    expect(table.stdout.split('\n')[0]).toMatch(/^JOB +KIND +STATE +INPUTS +RESULT +CREATED$/);
    expect(table.stdout).toMatch(
      /tokenize +succeeded +greetings:1 \+ greet-wp:1 -> greet-shards +greet-shards:1/,
    );
  });

  it('exits with the status of what went wrong', async () => {
    const missing = await cli('tokenizer', 'train', 'nope', '--name', 'x', '--vocab-size', '100');
    expect(missing.code).toBe(ExitCode.NOT_FOUND);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
    const wrongKind = await cli('tokenize', 'greetings', 'greetings', '--name', 'y');
    expect(wrongKind.code).toBe(ExitCode.REFUSED);
    const badVocab = await cli('tokenizer', 'train', 'greetings', '--name', 'x', '--vocab-size', '0');
    expect(badVocab.code).toBe(ExitCode.REFUSED);
    expect(badVocab.stderr).toMatch(/vocab_size/);
    const badType = await cli('tokenizer', 'train', 'greetings', '--name', 'x', '--type', 'unigram');
    expect(badType.code).toBe(ExitCode.REFUSED);
    const badFile = await cli('corpus', 'upload', path.join(work.path, 'missing.txt'), '--name', 'z');
    expect(badFile.code).toBe(ExitCode.NOT_FOUND);

    // A job that fails while it runs: the command prints the job and exits with its error's status.
    const upload = await cli(
      'upload',
      'bogus-tokenizer',
      path.join(work.path, 'not-a-tokenizer.json'),
      '--kind',
      'tokenizer',
    );
    expect(upload.code).toBe(ExitCode.OK);
    const failed = await cli('tokenize', 'greetings', 'bogus-tokenizer', '--name', 'never');
    expect(failed.code).toBe(ExitCode.REFUSED);
    expect(failed.stdout).toMatch(/state: +failed/);
    expect(failed.stderr).toMatch(/failed: tokenizer bogus-tokenizer:1 is not a tokenizer.json/);
    expect((await cli('get', 'never')).code).toBe(ExitCode.NOT_FOUND);
  });

  it('corpus from-dataset: the train split by default, dev refused unless --force, then tokenized', async () => {
    const registered = await cli(
      'upload',
      'task',
      path.join(work.path, 'task.jsonl'),
      '--kind',
      'dataset',
      '--meta',
      'format=jsonl',
    );
    expect(registered.code).toBe(ExitCode.OK);

    const built = await cli('corpus', 'from-dataset', 'task:1', '--seed', '1');
    expect(built.code).toBe(ExitCode.OK);
    expect(built.stdout).toMatch(/^built task-text:1 /);
    expect(built.stdout).toMatch(/from: +task:1, split train, field text/);
    expect(built.stdout).toMatch(/documents: +20 \(train 19, validation 1\)/);
    expect(built.stdout).not.toMatch(/warning/);

    const again = await cliJson<{ version: { modelName: string; version: number }; deduplicated: boolean }>(
      'corpus',
      'from-dataset',
      'task',
      '--split',
      'train',
      '--seed',
      '1',
    );
    expect(again).toMatchObject({ version: { modelName: 'task-text', version: 1 }, deduplicated: true });

    const refused = await cli('corpus', 'from-dataset', 'task', '--split', 'dev', '--name', 'task-dev');
    expect(refused.code).toBe(ExitCode.REFUSED);
    expect(refused.stderr).toMatch(/"dev" is an evaluation split/);
    expect(refused.stderr).toMatch(/--force/);

    const forced = await cli(
      'corpus',
      'from-dataset',
      'task',
      '--split',
      'train',
      '--split',
      'dev',
      '--force',
      '--name',
      'task-train-dev',
    );
    expect(forced.code).toBe(ExitCode.OK);
    expect(forced.stdout).toMatch(/from: +task:1, split dev,train/);
    expect(forced.stdout).toMatch(/warning: +holds the texts of evaluation split\(s\) dev of task:1/);
    const got = await cliJson<{ version: { metadata: Record<string, string>; tags: string[] } }>(
      'get',
      'task-train-dev:1',
    );
    expect(got.version.metadata).toMatchObject({ includes_eval_splits: 'true' });
    expect(got.version.tags).toContain('includes_eval_splits');
    const flagged = await cli('lineage', 'task-train-dev:1');
    expect(flagged.stdout).toMatch(/^task-train-dev:1 +dataset +\(warning: includes eval splits\)/);
    expect(flagged.stdout).toMatch(/derived_from ← task:1 +dataset\n/);

    const unknown = await cli('corpus', 'from-dataset', 'task', '--split', 'unlabelled');
    expect(unknown.code).toBe(ExitCode.REFUSED);
    expect(unknown.stderr).toMatch(/split "unlabelled" is not in dataset task:1/);
    expect((await cli('corpus', 'from-dataset', 'no-task')).code).toBe(ExitCode.NOT_FOUND);

    const tokenizer = await cli(
      'tokenizer',
      'train',
      'task-text:1',
      '--name',
      'task-wp',
      '--vocab-size',
      '80',
    );
    expect(tokenizer.code).toBe(ExitCode.OK);
    const shards = await cli('tokenize', 'task-text:1', 'task-wp', '--name', 'task-shards');
    expect(shards.code).toBe(ExitCode.OK);
    const lineage = await cli('lineage', 'task-shards:1', '--ancestors');
    expect(lineage.stdout).toMatch(/task-text:1/);
    expect(lineage.stdout).toMatch(/task:1/);
  });
});
