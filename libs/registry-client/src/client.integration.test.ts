import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Code, HeadstartError } from '@headstart/errors';
import { registry } from '@headstart/proto';
import { createRegistryService } from '@headstart/registry';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { createRegistryClient, type RegistryClient } from './index';

/*
 * The client against a real registry: gRPC on port 0, SQLite and blobs in a temp dir, a real
 * nats-server for its outbox.
 */

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function failure(promise: Promise<unknown>): Promise<HeadstartError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(HeadstartError);
  return error as HeadstartError;
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

let nats: NatsServerHandle;
let dataDir: TempDir;
let work: TempDir;
let service: Awaited<ReturnType<typeof createRegistryService>>;
let client: RegistryClient;

beforeAll(async () => {
  nats = await startNatsServer();
  dataDir = await makeTempDir('client-it-data');
  work = await makeTempDir('client-it-work');
  service = await createRegistryService({
    dataDir: dataDir.path,
    natsUrl: nats.url,
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 2_000,
    logger: createLogger({ name: 'client-it', level: 'error' }),
  });
  client = createRegistryClient({ address: `127.0.0.1:${service.port}`, actor: 'jest' });
  await client.waitForReady(10_000);
});

afterAll(async () => {
  client?.close();
  await service?.shutdown();
  await nats?.dispose();
  await dataDir?.remove();
  await work?.remove();
});

describe('upload and download', () => {
  const big = randomBytes(2 * 1024 * 1024 + 12_345);

  it('uploads a file over 2 MiB and downloads it back with a verified digest', async () => {
    const file = path.join(work.path, 'corpus.bin');
    await fs.writeFile(file, big);
    const progress: number[] = [];
    const version = (
      await client.createVersion(
        { modelName: 'rt-corpus', kind: 'dataset', tags: ['lang:en'], metadata: { source: 'jest' } },
        file,
        { onProgress: (p) => progress.push(p.bytes) },
      )
    ).version;
    expect(version).toMatchObject({
      modelName: 'rt-corpus',
      version: 1,
      artifactSha256: sha256(big),
      artifactSize: big.length,
    });
    expect(version.kind).toBe(registry.ModelKind.MODEL_KIND_DATASET);
    expect(progress.at(-1)).toBe(big.length);
    expect(progress.length).toBe(3);

    const destination = path.join(work.path, 'out', 'corpus.bin');
    await fs.mkdir(path.dirname(destination));
    const info = await client.downloadArtifact('rt-corpus:1', destination);
    expect(info).toMatchObject({ versionId: version.id, sha256: sha256(big), size: big.length });
    expect(sha256(await fs.readFile(destination))).toBe(sha256(big));
    expect(await fs.readdir(path.dirname(destination))).toEqual(['corpus.bin']);
    expect(sha256(await client.downloadToBuffer('rt-corpus'))).toBe(sha256(big));
  });

  it('streams a Readable in small chunks through backpressure', async () => {
    const pieces = Array.from({ length: 48 }, (_, i) => big.subarray(i * 65_536, (i + 1) * 65_536));
    const expected = Buffer.concat(pieces);
    const result = await client.createVersion(
      { modelName: 'rt-corpus', kind: 'dataset' },
      Readable.from(pieces),
      {
        chunkBytes: 16 * 1024,
      },
    );
    expect(result.deduplicated).toBe(false);
    expect(result.version).toMatchObject({
      version: 2,
      artifactSha256: sha256(expected),
      artifactSize: expected.length,
    });
  });

  it('returns the committed version for a retry with the same idempotency key', async () => {
    const data = Buffer.from('tokenizer vocab');
    const metadata = { modelName: 'rt-tok', kind: 'tokenizer', idempotencyKey: 'run-7-final' };
    const first = await client.createVersion(metadata, data);
    const retry = await client.createVersion(metadata, data);
    expect(retry.deduplicated).toBe(true);
    expect(retry.version.id).toBe(first.version.id);
  });

  it('is refused before commit when the declared digest is wrong', async () => {
    const before = await client.getModel('rt-corpus');
    const error = await failure(
      client.createVersion(
        { modelName: 'rt-corpus', kind: 'dataset', expectedSha256: sha256(Buffer.from('x')) },
        big,
      ),
    );
    expect([Code.INVALID_ARGUMENT, Code.DATA_LOSS, Code.FAILED_PRECONDITION]).toContain(error.code);
    expect((await client.getModel('rt-corpus')).latestVersion).toBe(before.latestVersion);
  });

  it('cancels an upload through its AbortSignal and commits nothing', async () => {
    const before = await client.getModel('rt-corpus');
    const controller = new AbortController();
    async function* slowSource(): AsyncGenerator<Uint8Array> {
      yield big.subarray(0, 100_000);
      controller.abort();
      yield big.subarray(100_000, 200_000);
    }
    const error = await failure(
      client.createVersion({ modelName: 'rt-corpus', kind: 'dataset' }, slowSource(), {
        signal: controller.signal,
      }),
    );
    expect(error.code).toBe(Code.CANCELLED);
    expect((await client.getModel('rt-corpus')).latestVersion).toBe(before.latestVersion);
  });

  // The registry re-hashes blobs as it streams them and ends the stream with DATA_LOSS; the client's own
  // digest check (a lying or buggy server) is covered in artifact-sink.test.ts. Either way the partial
  // download must be gone.
  it('detects an artifact corrupted on the server disk: DATA_LOSS and no file left behind', async () => {
    const data = randomBytes(300_000);
    const version = (await client.createVersion({ modelName: 'rt-fragile', kind: 'dataset' }, data)).version;
    const [blob] = (await filesUnder(dataDir.path)).filter(
      (f) => path.basename(f) === version.artifactSha256,
    );
    expect(blob).toBeDefined();
    const stored = await fs.readFile(blob as string);
    stored[150_000] = (stored[150_000] ?? 0) ^ 0x01;
    await fs.chmod(blob as string, 0o600);
    await fs.writeFile(blob as string, stored);

    const dir = path.join(work.path, 'corrupt');
    await fs.mkdir(dir);
    const error = await failure(client.downloadArtifact('rt-fragile:1', path.join(dir, 'fragile.bin')));
    expect(error.code).toBe(Code.DATA_LOSS);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('lookups, listings, aliases, tags, lineage', () => {
  beforeAll(async () => {
    await client.createVersion({ modelName: 'lk-wiki', kind: 'dataset' }, Buffer.from('wiki v1'));
    await client.createVersion({ modelName: 'lk-wiki', kind: 'dataset' }, Buffer.from('wiki v2'));
    await client.createVersion(
      {
        modelName: 'lk-wordpiece',
        kind: 'tokenizer',
        parents: [{ ref: 'lk-wiki:2', relation: 'trained_on' }],
      },
      Buffer.from('vocab'),
    );
    await client.createVersion(
      {
        modelName: 'lk-bert',
        kind: 'base_model',
        parents: [
          { ref: 'lk-wiki:2', relation: 'trained_on' },
          { ref: 'lk-wordpiece', relation: 'tokenized_with' },
        ],
        aliases: ['latest-checkpoint'],
      },
      Buffer.from('weights'),
    );
  });

  it('resolves NAME, NAME:VERSION and NAME@ALIAS', async () => {
    expect((await client.getVersion('lk-wiki')).version).toBe(2);
    expect((await client.getVersion('lk-wiki:1')).version).toBe(1);
    await client.setAlias({ modelName: 'lk-wiki', alias: 'production', version: 1, reason: 'first release' });
    expect((await client.getVersion('lk-wiki@production')).version).toBe(1);
    expect((await client.getVersion('lk-bert@latest-checkpoint')).modelName).toBe('lk-bert');
  });

  it('reports unknown models and versions as NOT_FOUND and malformed refs as INVALID_ARGUMENT', async () => {
    expect((await failure(client.getVersion('lk-missing'))).code).toBe(Code.NOT_FOUND);
    expect((await failure(client.getVersion('lk-wiki:99'))).code).toBe(Code.NOT_FOUND);
    expect((await failure(client.getVersion('lk-wiki:0'))).code).toBe(Code.INVALID_ARGUMENT);
    expect((await failure(client.deleteVersion('lk-wiki@production'))).code).toBe(Code.INVALID_ARGUMENT);
  });

  it('walks every page of models and versions', async () => {
    const names: string[] = [];
    for await (const model of client.listModels({ namePrefix: 'lk-' }, { pageSize: 1 }))
      names.push(model.name);
    expect(names.sort()).toEqual(['lk-bert', 'lk-wiki', 'lk-wordpiece']);
    const page = await client.listModelsPage({ namePrefix: 'lk-' }, { pageSize: 2 });
    expect(page.models).toHaveLength(2);
    expect(page.nextPageToken).not.toBe('');

    const children: string[] = [];
    for await (const v of client.searchVersions({ parent: 'lk-wiki:2' }, { pageSize: 1 }))
      children.push(v.modelName);
    expect(children.sort()).toEqual(['lk-bert', 'lk-wordpiece']);
    const tokenizers: string[] = [];
    for await (const v of client.searchVersions({ parent: 'lk-wiki:2', relation: 'tokenized_with' })) {
      tokenizers.push(v.modelName);
    }
    expect(tokenizers).toEqual([]);
  });

  it('keeps alias history and enforces protection', async () => {
    await client.setAlias({ modelName: 'lk-wiki', alias: 'stable', version: 1, protected: true });
    const refused = await failure(client.setAlias({ modelName: 'lk-wiki', alias: 'stable', version: 2 }));
    expect(refused.code).toBe(Code.FAILED_PRECONDITION);
    const moved = await client.setAlias({
      modelName: 'lk-wiki',
      alias: 'stable',
      version: 2,
      overrideProtection: true,
    });
    expect(moved).toMatchObject({ version: 2, protected: true });
    const history = await client.getAliasHistory('lk-wiki', 'stable', { pageSize: 1 });
    expect(history.map((e) => [e.fromVersion, e.toVersion, e.actor])).toEqual([
      [1, 2, 'jest'],
      [0, 1, 'jest'],
    ]);
  });

  it('adds and removes tags on models and versions', async () => {
    expect(await client.setTags({ model: 'lk-bert' }, { add: ['encoder', 'tiny'] })).toEqual([
      'encoder',
      'tiny',
    ]);
    expect(await client.setTags({ version: 'lk-bert:1' }, { add: ['candidate'] })).toEqual(['candidate']);
    expect(await client.setTags({ model: 'lk-bert' }, { remove: ['tiny'] })).toEqual(['encoder']);
    const tagged: string[] = [];
    for await (const v of client.searchVersions({ tag: 'candidate' }))
      tagged.push(`${v.modelName}:${v.version}`);
    expect(tagged).toEqual(['lk-bert:1']);
  });

  it('returns ancestors with their edges and refuses to delete a version with descendants', async () => {
    const lineage = await client.getLineage('lk-bert:1', { direction: 'ancestors' });
    expect(lineage.root?.modelName).toBe('lk-bert');
    expect(lineage.nodes.map((n) => n.modelName).sort()).toEqual(['lk-wiki', 'lk-wordpiece']);
    expect(lineage.edges.map((e) => e.relation).sort()).toEqual([
      'tokenized_with',
      'trained_on',
      'trained_on',
    ]);
    const oneLevel = await client.getLineage('lk-wiki:2', { direction: 'descendants', maxDepth: 1 });
    expect(oneLevel.nodes.map((n) => n.modelName).sort()).toEqual(['lk-bert', 'lk-wordpiece']);

    expect((await failure(client.deleteVersion('lk-wiki:2'))).code).toBe(Code.FAILED_PRECONDITION);
    await client.deleteVersion('lk-wiki:1');
    expect((await failure(client.getVersion('lk-wiki:1'))).code).toBe(Code.NOT_FOUND);
  });
});

describe('transport failures', () => {
  it('says which address is unavailable', async () => {
    const offline = createRegistryClient({ address: '127.0.0.1:1', deadlineMs: 5_000 });
    try {
      const error = await failure(offline.getVersion('anything'));
      expect(error.code).toBe(Code.UNAVAILABLE);
      expect(error.message).toContain('the registry at 127.0.0.1:1 is unavailable');
    } finally {
      offline.close();
    }
  });
});
