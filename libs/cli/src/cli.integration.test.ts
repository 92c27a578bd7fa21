import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createRegistryService } from '@headstart/registry';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { ExitCode } from './exit-codes';
import { cliTestRunner } from './cli-test-runner';

/* Every command through runCli (the same path as the binary) against a real registry. */

let nats: NatsServerHandle;
let dataDir: TempDir;
let work: TempDir;
let service: Awaited<ReturnType<typeof createRegistryService>>;

const { cli, cliJson } = cliTestRunner(() => ({
  defaultRegistry: `127.0.0.1:${service.port}`,
  actor: 'cli-test',
}));

interface VersionJson {
  id: string;
  modelName: string;
  version: number;
  kind: string;
  artifactSha256: string;
  artifactSize: number;
  metadata?: Record<string, string>;
  metrics?: Record<string, number>;
  tags?: string[];
  aliases?: string[];
  parents?: Array<{ modelName: string; version: number; relation: string }>;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const corpus = randomBytes(2 * 1024 * 1024 + 999);

beforeAll(async () => {
  nats = await startNatsServer();
  dataDir = await makeTempDir('cli-it-data');
  work = await makeTempDir('cli-it-work');
  service = await createRegistryService({
    dataDir: dataDir.path,
    natsUrl: nats.url,
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 2_000,
    logger: createLogger({ name: 'cli-it', level: 'error' }),
  });
  await fs.writeFile(path.join(work.path, 'corpus.bin'), corpus);
  await fs.writeFile(path.join(work.path, 'vocab.txt'), '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n');
  await fs.writeFile(path.join(work.path, 'weights.bin'), randomBytes(50_000));
});

afterAll(async () => {
  await service?.shutdown();
  await nats?.dispose();
  await dataDir?.remove();
  await work?.remove();
});

describe('headstart against a real registry', () => {
  it('uploads a lineage of artifacts with parents, metadata, metrics, tags and aliases', async () => {
    const up1 = await cliJson<{ version: VersionJson; deduplicated: boolean }>(
      'upload',
      'wiki',
      path.join(work.path, 'corpus.bin'),
      '--kind',
      'dataset',
      '--meta',
      'source=wikipedia',
      '--tag',
      'lang:en',
      '--model-description',
      'English wiki',
    );
    expect(up1.version).toMatchObject({ modelName: 'wiki', version: 1, kind: 'MODEL_KIND_DATASET' });
    expect(up1.version.artifactSha256).toBe(sha256(corpus));
    expect(up1.version.metadata).toEqual({ source: 'wikipedia' });

    const tok = await cliJson<{ version: VersionJson }>(
      'upload',
      'wordpiece',
      path.join(work.path, 'vocab.txt'),
      '--kind',
      'tokenizer',
      '--parent',
      'wiki:1:trained_on',
    );
    expect(tok.version.parents).toEqual([
      expect.objectContaining({ modelName: 'wiki', version: 1, relation: 'trained_on' }),
    ]);

    const base = await cliJson<{ version: VersionJson }>(
      'upload',
      'bert',
      path.join(work.path, 'weights.bin'),
      '--kind',
      'base_model',
      '--parent',
      'wiki:1:trained_on',
      '--parent',
      'wordpiece:tokenized_with',
      '--metric',
      'mlm_loss=2.5',
      '--alias',
      'latest-checkpoint',
      '--tag',
      'tiny',
    );
    expect(base.version).toMatchObject({ modelName: 'bert', version: 1, metrics: { mlm_loss: 2.5 } });
    expect(base.version.aliases).toEqual(['latest-checkpoint']);
  });

  it('lists models and versions as JSON and as tables', async () => {
    const models = await cliJson<{ models: Array<{ name: string }> }>('models', 'ls');
    expect(models.models.map((m) => m.name).sort()).toEqual(['bert', 'wiki', 'wordpiece']);
    const datasets = await cliJson<{ models: Array<{ name: string }> }>('models', 'ls', '--kind', 'dataset');
    expect(datasets.models.map((m) => m.name)).toEqual(['wiki']);

    const table = await cli('models', 'ls', '--prefix', 'w');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+LATEST\s+VERSIONS\s+ALIASES\s+TAGS\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['wiki', 'wordpiece']);

    const children = await cliJson<{ versions: VersionJson[] }>('versions', 'ls', '--parent', 'wiki:1');
    expect(children.versions.map((v) => v.modelName).sort()).toEqual(['bert', 'wordpiece']);
    const byAlias = await cliJson<{ versions: VersionJson[] }>(
      'versions',
      'ls',
      'bert',
      '--alias',
      'latest-checkpoint',
    );
    expect(byAlias.versions.map((v) => v.version)).toEqual([1]);
    const versionsTable = await cli('versions', 'ls', 'wiki');
    expect(versionsTable.stdout).toContain('wiki:1');
    expect(versionsTable.stdout).toContain('2.0 MiB');
  });

  it('gets a version by alias and prints its fields for people', async () => {
    const got = await cliJson<{ version: VersionJson }>('get', 'bert@latest-checkpoint');
    expect(got.version).toMatchObject({ modelName: 'bert', version: 1 });
    const human = await cli('get', 'wiki:1');
    expect(human.stdout).toMatch(/^version:\s+wiki:1$/m);
    expect(human.stdout).toMatch(new RegExp(`^sha256:\\s+${sha256(corpus)}$`, 'm'));
  });

  it('shows lineage as nodes and edges in JSON and as a tree', async () => {
    const lineage = await cliJson<{
      root: VersionJson;
      nodes: VersionJson[];
      edges: Array<{ relation: string }>;
    }>('lineage', 'bert', '--ancestors');
    expect(lineage.root.modelName).toBe('bert');
    expect(lineage.nodes.map((n) => n.modelName).sort()).toEqual(['wiki', 'wordpiece']);
    expect(lineage.edges.map((e) => e.relation).sort()).toEqual([
      'tokenized_with',
      'trained_on',
      'trained_on',
    ]);
    const tree = await cli('lineage', 'wiki:1', '--descendants', '--depth', '1');
    expect(tree.stdout).toContain('descendants (made from it):');
    expect(tree.stdout).toContain('trained_on → bert:1  base_model');
    expect(tree.stdout).toContain('trained_on → wordpiece:1  tokenizer');
  });

  it('sets, protects, moves and removes aliases, with history', async () => {
    await cliJson('upload', 'bert', path.join(work.path, 'weights.bin'), '--kind', 'base_model');
    expect(
      await cliJson('alias', 'set', 'bert', 'production', '1', '--protect', '--reason', 'first'),
    ).toMatchObject({
      alias: { name: 'production', version: 1, protected: true },
    });
    const refused = await cli('alias', 'set', 'bert', 'production', '2');
    expect(refused.code).toBe(ExitCode.REFUSED);
    expect(refused.stderr).toContain('(FAILED_PRECONDITION)');
    await cliJson('alias', 'set', 'bert', 'production', '2', '--force', '--reason', 'better loss');
    expect((await cli('alias', 'rm', 'bert', 'production')).code).toBe(ExitCode.REFUSED);
    await cliJson('alias', 'rm', 'bert', 'production', '--force');

    const history = await cliJson<{ events: Array<{ action: string; toVersion?: number; actor: string }> }>(
      'alias',
      'history',
      'bert',
      'production',
    );
    expect(history.events.map((e) => [e.action, e.toVersion ?? 0, e.actor])).toEqual([
      ['ALIAS_ACTION_DELETE', 0, 'cli-test'],
      ['ALIAS_ACTION_SET', 2, 'cli-test'],
      ['ALIAS_ACTION_SET', 1, 'cli-test'],
    ]);
    const table = await cli('alias', 'history', 'bert');
    expect(table.stdout).toMatch(/^\s*SEQ\s+AT\s+ALIAS\s+ACTION\s+FROM\s+TO\s+PROTECTED\s+ACTOR\s+REASON$/m);
    expect(table.stdout).toContain('better loss');
  });

  it('adds and removes tags on models and versions', async () => {
    expect(await cliJson('tags', 'add', 'bert', 'encoder', 'demo')).toEqual({
      target: 'bert',
      tags: ['demo', 'encoder'],
    });
    expect(await cliJson('tags', 'rm', 'bert', 'demo')).toEqual({ target: 'bert', tags: ['encoder'] });
    expect(await cliJson('tags', 'add', 'bert:2', 'candidate')).toEqual({
      target: 'bert:2',
      tags: ['candidate'],
    });
  });

  it('downloads a verified artifact to a file', async () => {
    const destination = path.join(work.path, 'wiki-copy.bin');
    await cliJson('alias', 'set', 'wiki', 'stable', '1');
    const result = await cliJson<{ path: string; sha256: string; size: number }>(
      'download',
      'wiki',
      '-o',
      destination,
    );
    expect(result).toMatchObject({ path: destination, sha256: sha256(corpus), size: corpus.length });
    expect(sha256(await fs.readFile(destination))).toBe(sha256(corpus));
    const intoDir = await cliJson<{ path: string }>('download', 'wiki@stable', '-o', work.path);
    expect(intoDir.path).toBe(path.join(work.path, 'wiki-v1'));
    expect(sha256(await fs.readFile(intoDir.path))).toBe(sha256(corpus));
    const piped = await cli('download', 'wiki:1', '-o', '-');
    expect(piped.code).toBe(0);
    expect(sha256(piped.stdoutBytes)).toBe(sha256(corpus));
    const human = await cli('download', 'wordpiece:1', '-o', path.join(work.path, 'vocab-copy.txt'));
    expect(human.stdout).toMatch(
      /^downloaded wordpiece:1 to .*vocab-copy\.txt \(\d+ B, sha256 [0-9a-f]{64}\)\n$/,
    );
  });

  it('refuses to delete a version with descendants, deletes a leaf', async () => {
    const refused = await cli('rm', 'wiki:1');
    expect(refused.code).toBe(ExitCode.REFUSED);
    expect(refused.stderr).toContain('(FAILED_PRECONDITION)');
    expect(await cliJson('rm', 'bert:2')).toEqual({ deleted: 'bert:2' });
    expect((await cli('get', 'bert:2')).code).toBe(ExitCode.NOT_FOUND);
  });

  it('exits 3 with a message for a missing model', async () => {
    const result = await cli('get', 'missing');
    expect(result.code).toBe(ExitCode.NOT_FOUND);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^headstart: .*missing.*\(NOT_FOUND\)\n$/);
  });

  it('exits 4 for an invalid kind and a malformed --parent', async () => {
    const kind = await cli('upload', 'x', path.join(work.path, 'vocab.txt'), '--kind', 'checkpoint');
    expect(kind.code).toBe(ExitCode.REFUSED);
    expect(kind.stderr).toContain('unknown model kind "checkpoint"');
    const parent = await cli(
      'upload',
      'x',
      path.join(work.path, 'vocab.txt'),
      '--kind',
      'dataset',
      '--parent',
      'wiki:1',
    );
    expect(parent.code).toBe(ExitCode.REFUSED);
  });
});
