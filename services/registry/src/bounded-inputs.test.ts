// Oversized strings and lists (issue 14): each answered at once with INVALID_ARGUMENT naming the field,
// in a short status, and nothing stored. Every string and repeated field of the RPCs below is tried.
import * as grpc from '@grpc/grpc-js';
import { registry } from '@headstart/proto';
import { oversizedCalls } from '@headstart/service-kit/testing';

import type { TestRegistry } from './registry-test-fixture';
import { call, meta, ref, storedFiles, upload, withTestRegistry } from './registry-test-fixture';

const service = registry.RegistryServiceService;
const cases = oversizedCalls(service, {
  createVersion: {
    type: registry.CreateVersionRequest,
    base: { payload: { $case: 'metadata', metadata: meta('fresh') } },
  },
  getVersion: { type: registry.GetVersionRequest, base: { ref: ref('known', 1) } },
  getModel: { type: registry.GetModelRequest, base: { name: 'known' } },
  searchVersions: { type: registry.SearchVersionsRequest },
  setAlias: {
    type: registry.SetAliasRequest,
    base: { modelName: 'known', alias: 'prod', version: 1 },
  },
  setTags: { type: registry.SetTagsRequest, base: { target: { $case: 'modelName', modelName: 'known' } } },
});

describe('registry bounds every string and repeated field', () => {
  let r: TestRegistry & { close(): Promise<void> };
  let before: { models: registry.Model[]; blobs: string[] };

  const snapshot = async () => ({
    models: (await call(r.client, r.client.listModels, registry.ListModelsRequest.fromPartial({}))).models,
    blobs: (await storedFiles(r.dataDir)).blobs,
  });

  beforeAll(async () => {
    r = await withTestRegistry();
    await upload(r.client, meta('known'), Buffer.from('known'));
    before = await snapshot();
  });
  afterAll(() => r.close());

  it.each(cases.map((c) => [c.method, c.field, c.what, c]))(
    '%s with %s over its limit (%s)',
    async (_method, field, _what, c) => {
      const status = await c.call(r.client);
      expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(status.details).toMatch(new RegExp(`^${escape(field)} (is|has) \\d+ `));
      expect(Buffer.byteLength(status.details)).toBeLessThan(2048);
      expect(status.metadataBytes).toBeLessThan(4096);
    },
  );

  it('created, moved or tagged nothing', async () => {
    expect(await snapshot()).toEqual(before);
    expect((await storedFiles(r.dataDir)).temp).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
