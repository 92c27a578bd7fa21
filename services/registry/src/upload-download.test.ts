import { createHash, randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import { registry } from '@headstart/proto';
import { waitFor } from '@headstart/testing';

import type { TestRegistry } from './registry-test-fixture';
import {
  call,
  download,
  meta,
  ref,
  statusOf,
  storedFiles,
  upload,
  withTestRegistry,
} from './registry-test-fixture';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('registry uploads and downloads', () => {
  let r: TestRegistry & { close(): Promise<void> };

  beforeAll(async () => {
    r = await withTestRegistry({ maxArtifactBytes: 4 * 1024 * 1024, downloadChunkBytes: 256 * 1024 });
  });
  afterAll(() => r.close());

  it('round-trips a multi-chunk artifact and its digest', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 123);
    const { version, deduplicated } = await upload(
      r.client,
      meta('corpus-en', {
        description: 'first cut',
        expectedSha256: sha256(bytes),
        expectedSize: bytes.length,
        metadata: { source: 'sotu' },
        metrics: { documents: 233 },
        tags: ['lang:en'],
        runId: 'ingest-1',
      }),
      bytes,
      100_000,
    );
    expect(deduplicated).toBe(false);
    expect(version).toMatchObject({
      modelName: 'corpus-en',
      version: 1,
      kind: registry.ModelKind.MODEL_KIND_DATASET,
      artifactSha256: sha256(bytes),
      artifactSize: bytes.length,
      metadata: { source: 'sotu' },
      metrics: { documents: 233 },
      tags: ['lang:en'],
      runId: 'ingest-1',
    });
    const got = await download(r.client, ref('corpus-en', 1));
    expect(got.info).toEqual({ versionId: version!.id, sha256: sha256(bytes), size: bytes.length });
    expect(got.chunks).toBe(13);
    expect(sha256(got.bytes)).toBe(sha256(bytes));
    const fetched = await call(r.client, r.client.getVersion, { ref: ref('corpus-en') });
    expect(fetched.version).toEqual(version);
  });

  it('gives 32 concurrent uploads to one model the numbers 1..32 exactly once', async () => {
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        upload(r.client, meta('concurrent'), Buffer.from(`artifact ${i}`)),
      ),
    );
    const numbers = results.map((res) => res.version!.version).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(new Set(results.map((res) => res.version!.id)).size).toBe(32);
    const model = await call(r.client, r.client.getModel, { name: 'concurrent' });
    expect(model.model).toMatchObject({ latestVersion: 32, versionCount: 32 });
  });

  it('answers a retried upload with the same idempotency key with the committed version', async () => {
    const bytes = randomBytes(5000);
    const first = await upload(r.client, meta('retried', { idempotencyKey: 'job-7' }), bytes);
    const again = await upload(r.client, meta('retried', { idempotencyKey: 'job-7' }), bytes);
    expect(again).toEqual({ version: first.version, deduplicated: true });
    const other = await statusOf(
      upload(r.client, meta('retried', { idempotencyKey: 'job-7' }), randomBytes(10)),
    );
    expect(other.code).toBe(grpc.status.ALREADY_EXISTS);
    expect((await storedFiles(r.dataDir)).temp).toEqual([]);
  });

  it('leaves no version, temp file or blob when the client drops mid-upload', async () => {
    const stream = r.client.createVersion(new grpc.Metadata(), () => undefined);
    stream.write({ payload: { $case: 'metadata', metadata: meta('dropped') } });
    stream.write({ payload: { $case: 'chunk', chunk: randomBytes(200_000) } });
    await waitFor(async () => (await storedFiles(r.dataDir)).temp.length === 1, {
      message: 'upload to start',
    });
    const before = (await storedFiles(r.dataDir)).blobs.length;
    stream.cancel();
    await waitFor(async () => (await storedFiles(r.dataDir)).temp.length === 0, {
      message: 'temp file removal',
    });
    expect((await storedFiles(r.dataDir)).blobs.length).toBe(before);
    expect((await statusOf(call(r.client, r.client.getModel, { name: 'dropped' }))).code).toBe(
      grpc.status.NOT_FOUND,
    );
  });

  it('refuses an artifact over the size limit and keeps nothing of it', async () => {
    const { code, details } = await statusOf(upload(r.client, meta('too-big'), randomBytes(5 * 1024 * 1024)));
    expect(code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(details).toContain('limit of 4194304 bytes');
    expect((await storedFiles(r.dataDir)).temp).toEqual([]);
    const declared = await statusOf(upload(r.client, meta('too-big', { expectedSize: 5 * 1024 * 1024 })));
    expect(declared.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('refuses bytes that do not match the declared digest or size', async () => {
    const bytes = randomBytes(1000);
    const wrongDigest = await statusOf(
      upload(r.client, meta('declared', { expectedSha256: sha256(randomBytes(8)) }), bytes),
    );
    expect(wrongDigest.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(wrongDigest.details).toContain(`artifact sha256 is ${sha256(bytes)}`);
    const wrongSize = await statusOf(upload(r.client, meta('declared', { expectedSize: 999 }), bytes));
    expect(wrongSize.code).toBe(grpc.status.INVALID_ARGUMENT);
    const short = await statusOf(upload(r.client, meta('declared', { expectedSize: 1001 }), bytes));
    expect(short.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await storedFiles(r.dataDir)).temp).toEqual([]);
  });

  it('stores identical artifacts once and removes a blob with its last version', async () => {
    const bytes = randomBytes(2048);
    await upload(r.client, meta('twins'), bytes);
    await upload(r.client, meta('twins'), bytes);
    const digest = sha256(bytes);
    const count = async () => (await storedFiles(r.dataDir)).blobs.filter((b) => b === digest).length;
    expect(await count()).toBe(1);
    await call(r.client, r.client.deleteVersion, { modelName: 'twins', version: 1 });
    expect(await count()).toBe(1);
    expect((await download(r.client, ref('twins', 2))).bytes.equals(bytes)).toBe(true);
    await call(r.client, r.client.deleteVersion, { modelName: 'twins', version: 2 });
    expect(await count()).toBe(0);
  });

  it('reports DATA_LOSS when a stored artifact was damaged', async () => {
    const bytes = randomBytes(300_000);
    await upload(r.client, meta('damaged'), bytes);
    const digest = sha256(bytes);
    const file = path.join(r.dataDir, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);
    await chmod(file, 0o644);
    const flipped = Buffer.from(bytes);
    flipped[1000] = flipped[1000]! ^ 0xff;
    await writeFile(file, flipped);
    expect((await statusOf(download(r.client, ref('damaged', 1)))).code).toBe(grpc.status.DATA_LOSS);
    await writeFile(file, flipped.subarray(0, 100));
    expect((await statusOf(download(r.client, ref('damaged', 1)))).code).toBe(grpc.status.DATA_LOSS);
  });
});
