import { randomBytes } from 'node:crypto';

import * as grpc from '@grpc/grpc-js';
import { registry } from '@headstart/proto';

import type { TestRegistry } from './registry-test-fixture';
import {
  call,
  meta,
  ref,
  statusOf,
  storedFiles,
  upload,
  uploadMessages,
  withTestRegistry,
} from './registry-test-fixture';

const { INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED } = grpc.status;

describe('registry refuses bad input with the right status', () => {
  let r: TestRegistry & { close(): Promise<void> };

  beforeAll(async () => {
    r = await withTestRegistry({ maxReceiveMessageBytes: 1024 * 1024 });
    await upload(r.client, meta('known'), Buffer.from('known'));
  });
  afterAll(() => r.close());

  it.each([
    ['an empty model name', meta(''), INVALID_ARGUMENT, 'model_name is required'],
    ['an invalid model name', meta('Bad Name!'), INVALID_ARGUMENT, 'model_name "Bad Name!" is invalid'],
    [
      'an unspecified kind',
      meta('x', { kind: registry.ModelKind.MODEL_KIND_UNSPECIFIED }),
      INVALID_ARGUMENT,
      'kind',
    ],
    ['an unknown kind', meta('x', { kind: 42 as registry.ModelKind }), INVALID_ARGUMENT, 'got 42'],
    [
      'a kind that differs from the model',
      meta('known', { kind: registry.ModelKind.MODEL_KIND_TOKENIZER }),
      FAILED_PRECONDITION,
      'model "known" is a DATASET',
    ],
    [
      'an unknown parent',
      meta('child', { parents: [{ ref: ref('ghost', 2), relation: 'trained_on' }] }),
      NOT_FOUND,
      'parents[0] ghost:2: model "ghost" not found',
    ],
    [
      'a bad relation',
      meta('child', { parents: [{ ref: ref('known', 1), relation: 'Trained On' }] }),
      INVALID_ARGUMENT,
      'parents[0].relation',
    ],
    ['an invalid alias', meta('child', { aliases: ['7'] }), INVALID_ARGUMENT, 'aliases[0]'],
    ['an invalid tag', meta('child', { tags: ['has space'] }), INVALID_ARGUMENT, 'tags[0]'],
  ])('CreateVersion with %s', async (_what, metadata, code, message) => {
    const status = await statusOf(upload(r.client, metadata, Buffer.from('bytes')));
    expect(status.code).toBe(code);
    expect(status.details).toContain(message);
  });

  it('CreateVersion with a chunk before the metadata, metadata twice, or no message at all', async () => {
    const chunkFirst = await statusOf(
      uploadMessages(r.client, [
        { payload: { $case: 'chunk', chunk: Buffer.from('x') } },
        { payload: { $case: 'metadata', metadata: meta('order') } },
      ]),
    );
    expect(chunkFirst.code).toBe(INVALID_ARGUMENT);
    expect(chunkFirst.details).toContain('first CreateVersion message must carry the metadata');
    const twice = await statusOf(
      uploadMessages(r.client, [
        { payload: { $case: 'metadata', metadata: meta('order') } },
        { payload: { $case: 'metadata', metadata: meta('order') } },
      ]),
    );
    expect(twice.code).toBe(INVALID_ARGUMENT);
    expect((await statusOf(uploadMessages(r.client, []))).code).toBe(INVALID_ARGUMENT);
    expect((await storedFiles(r.dataDir)).temp).toEqual([]);
  });

  it('CreateVersion with a message over the server limit', async () => {
    const status = await statusOf(
      upload(r.client, meta('huge-chunk'), randomBytes(1536 * 1024), 1536 * 1024),
    );
    expect(status.code).toBe(RESOURCE_EXHAUSTED);
    await expect(call(r.client, r.client.getModel, { name: 'huge-chunk' })).rejects.toMatchObject({
      code: NOT_FOUND,
    });
  });

  it('lookups of unknown models, versions and aliases, with a precise message', async () => {
    const cases: [registry.GetVersionRequest, string][] = [
      [{ ref: ref('ghost', 1) }, 'model "ghost" not found'],
      [{ ref: ref('known', 5) }, 'version known:5 not found: the highest version of model "known" is 1'],
      [{ ref: ref('known', 'production') }, 'model "known" has no alias "production" (it has no aliases)'],
    ];
    for (const [request, message] of cases) {
      expect(await statusOf(call(r.client, r.client.getVersion, request))).toEqual({
        code: NOT_FOUND,
        details: message,
      });
    }
    expect((await statusOf(call(r.client, r.client.getVersion, { ref: ref('known', 0) }))).code).toBe(
      INVALID_ARGUMENT,
    );
    expect((await statusOf(call(r.client, r.client.getVersion, { ref: undefined }))).code).toBe(
      INVALID_ARGUMENT,
    );
    expect((await statusOf(call(r.client, r.client.getModel, { name: '' }))).code).toBe(INVALID_ARGUMENT);
    expect(
      (await statusOf(call(r.client, r.client.deleteVersion, { modelName: 'known', version: 9 }))).code,
    ).toBe(NOT_FOUND);
    const download = r.client.downloadArtifact({ ref: ref('known', 9) });
    const streamed = new Promise((resolve, reject) => {
      download.on('data', () => undefined);
      download.on('error', reject);
      download.on('end', resolve);
    });
    expect((await statusOf(streamed)).code).toBe(NOT_FOUND);
  });

  it('malformed page tokens, and tokens replayed with another filter', async () => {
    const bad = await statusOf(
      call(r.client, r.client.listModels, {
        kind: 0,
        namePrefix: '',
        tag: '',
        pageSize: 1,
        pageToken: 'not-a-token',
      }),
    );
    expect(bad.code).toBe(INVALID_ARGUMENT);
    expect(bad.details).toContain('page_token is malformed');
    await upload(r.client, meta('known-2'), Buffer.from('k2'));
    const first = await call(r.client, r.client.listModels, {
      kind: 0,
      namePrefix: '',
      tag: '',
      pageSize: 1,
      pageToken: '',
    });
    expect(first.nextPageToken).not.toBe('');
    const replayed = await statusOf(
      call(r.client, r.client.listModels, {
        kind: 0,
        namePrefix: 'k',
        tag: '',
        pageSize: 1,
        pageToken: first.nextPageToken,
      }),
    );
    expect(replayed.code).toBe(INVALID_ARGUMENT);
    const crossed = await statusOf(
      call(r.client, r.client.searchVersions, {
        filter: undefined,
        pageSize: 1,
        pageToken: first.nextPageToken,
      }),
    );
    expect(crossed.code).toBe(INVALID_ARGUMENT);
  });

  it('bad aliases, tags and lineage requests', async () => {
    const alias = (name: string) =>
      call(r.client, r.client.setAlias, {
        modelName: 'known',
        alias: name,
        version: 1,
        overrideProtection: false,
        actor: '',
        reason: '',
      });
    expect((await statusOf(alias('latest'))).code).toBe(INVALID_ARGUMENT);
    expect((await statusOf(alias(''))).code).toBe(INVALID_ARGUMENT);
    const deleteMissing = await statusOf(
      call(r.client, r.client.deleteAlias, {
        modelName: 'known',
        alias: 'nope',
        overrideProtection: false,
        actor: '',
        reason: '',
      }),
    );
    expect(deleteMissing.code).toBe(NOT_FOUND);
    const overlap = await statusOf(
      call(r.client, r.client.setTags, {
        target: { $case: 'modelName', modelName: 'known' },
        add: ['a'],
        remove: ['a'],
      }),
    );
    expect(overlap.code).toBe(INVALID_ARGUMENT);
    expect(
      (await statusOf(call(r.client, r.client.setTags, { target: undefined, add: [], remove: [] }))).code,
    ).toBe(INVALID_ARGUMENT);
    const lineage = await statusOf(
      call(r.client, r.client.getLineage, {
        ref: ref('known', 1),
        direction: 9 as registry.LineageDirection,
        maxDepth: 0,
      }),
    );
    expect(lineage.code).toBe(INVALID_ARGUMENT);
  });
});
