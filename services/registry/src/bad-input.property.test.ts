// The bad-input property suite (issue 14) over every RegistryService RPC, generated from the descriptor
// set: hostile requests get a specific, short status, the registry stays healthy, and a refused call
// changes nothing (models, versions, aliases, tags and blobs compared before and after).
// HEADSTART_PROPERTY_RUNS=<cases> and HEADSTART_PROPERTY_SEED=<seed> size and replay it (docs/benchmarks.md).
import { registry } from '@headstart/proto';
import { runHostileSuite } from '@headstart/service-kit/testing';

import type { TestRegistry } from './registry-test-fixture';
import { call, meta, ref, storedFiles, upload, withTestRegistry } from './registry-test-fixture';

jest.setTimeout(600_000);

let r: TestRegistry & { close(): Promise<void> };
let versionId = '';

beforeAll(async () => {
  r = await withTestRegistry({ maxReceiveMessageBytes: 4 * 1024 * 1024 });
  // known:1 deleted, known:2 with an alias and a tag, a tokenizer and a base model descending from both.
  await upload(r.client, meta('known'), Buffer.from('one'));
  const two = await upload(
    r.client,
    meta('known', { aliases: ['prod'], tags: ['gold'] }),
    Buffer.from('two'),
  );
  versionId = two.version?.id ?? '';
  await call(r.client, r.client.deleteVersion, { modelName: 'known', version: 1 });
  await upload(r.client, meta('tok', { kind: registry.ModelKind.MODEL_KIND_TOKENIZER }), Buffer.from('{}'));
  await upload(
    r.client,
    meta('base', {
      kind: registry.ModelKind.MODEL_KIND_BASE_MODEL,
      parents: [
        { ref: ref('known', 2), relation: 'trained_on' },
        { ref: ref('tok', 1), relation: 'tokenized_with' },
      ],
    }),
    Buffer.from('weights'),
  );
});
afterAll(() => r?.close());

async function snapshot(): Promise<unknown> {
  const models = await call(
    r.client,
    r.client.listModels,
    registry.ListModelsRequest.fromPartial({ pageSize: 1000 }),
  );
  const versions = await call(
    r.client,
    r.client.searchVersions,
    registry.SearchVersionsRequest.fromPartial({ pageSize: 1000 }),
  );
  const history = await call(
    r.client,
    r.client.getAliasHistory,
    registry.GetAliasHistoryRequest.fromPartial({ modelName: 'known', pageSize: 1000 }),
  );
  return {
    models: models.models,
    versions: versions.versions,
    history: history.events,
    blobs: (await storedFiles(r.dataDir)).blobs.sort(),
  };
}

it('answers hostile requests to every RPC precisely, stays healthy and changes nothing it refused', async () => {
  const report = await runHostileSuite({
    address: `127.0.0.1:${r.handle.port}`,
    service: 'headstart.registry.v1.RegistryService',
    context: {
      strings: ['known', 'tok', 'base', 'ghost', 'prod', 'gold', 'final', 'trained_on', versionId, 'known:1'],
      numbers: [1, 2, 3],
    },
    snapshot,
    bases: bases(),
  });
  console.log(report.table());
  expect(report.failures).toEqual([]);
});

/** A valid request of each RPC (state-changing ones on existing models), each case patches one field. */
function bases(): Record<string, Uint8Array | Uint8Array[]> {
  const R = registry;
  const enc = <T>(type: { encode(m: T): { finish(): Uint8Array } }, m: T) => type.encode(m).finish();
  return {
    CreateVersion: [
      enc(R.CreateVersionRequest, {
        payload: { $case: 'metadata', metadata: meta('fresh', { tags: ['t'] }) },
      }),
      enc(R.CreateVersionRequest, { payload: { $case: 'chunk', chunk: Buffer.from('bytes') } }),
    ],
    GetVersion: enc(R.GetVersionRequest, { ref: ref('known', 2) }),
    GetModel: enc(R.GetModelRequest, { name: 'known' }),
    ListModels: enc(R.ListModelsRequest, R.ListModelsRequest.fromPartial({ namePrefix: 'k', pageSize: 10 })),
    SearchVersions: enc(
      R.SearchVersionsRequest,
      R.SearchVersionsRequest.fromPartial({ filter: { modelName: 'known' } }),
    ),
    SetAlias: enc(
      R.SetAliasRequest,
      R.SetAliasRequest.fromPartial({ modelName: 'known', alias: 'prod', version: 2 }),
    ),
    DeleteAlias: enc(
      R.DeleteAliasRequest,
      R.DeleteAliasRequest.fromPartial({ modelName: 'known', alias: 'prod' }),
    ),
    GetAliasHistory: enc(
      R.GetAliasHistoryRequest,
      R.GetAliasHistoryRequest.fromPartial({ modelName: 'known' }),
    ),
    SetTags: enc(R.SetTagsRequest, {
      target: { $case: 'version', version: ref('known', 2) },
      add: ['x'],
      remove: [],
    }),
    GetLineage: enc(
      R.GetLineageRequest,
      R.GetLineageRequest.fromPartial({ ref: ref('base', 1), maxDepth: 2 }),
    ),
    DownloadArtifact: enc(R.DownloadArtifactRequest, { ref: ref('known', 2) }),
    DeleteVersion: enc(R.DeleteVersionRequest, { modelName: 'known', version: 2 }),
  };
}
