import * as grpc from '@grpc/grpc-js';
import { registry } from '@headstart/proto';

import type { TestRegistry } from './registry-test-fixture';
import { call, meta, ref, statusOf, upload, withTestRegistry } from './registry-test-fixture';

const { MODEL_KIND_DATASET, MODEL_KIND_TOKENIZER, MODEL_KIND_BASE_MODEL, MODEL_KIND_FINETUNED_MODEL } =
  registry.ModelKind;

function parent(name: string, version: number, relation: string): registry.ParentSpec {
  return { ref: ref(name, version), relation };
}

describe('registry queries, aliases and lineage', () => {
  let r: TestRegistry & { close(): Promise<void> };

  beforeAll(async () => {
    r = await withTestRegistry();
  });
  afterAll(() => r.close());

  it('keeps an alias history, newest first and paged, and guards protected aliases', async () => {
    for (let i = 1; i <= 3; i++) await upload(r.client, meta('classifier'), Buffer.from(`v${i}`));
    const set = (version: number, extra: Partial<registry.SetAliasRequest> = {}) =>
      call(r.client, r.client.setAlias, {
        modelName: 'classifier',
        alias: 'production',
        version,
        overrideProtection: false,
        actor: 'ana',
        reason: `promote ${version}`,
        ...extra,
      });
    await set(1, { protected: true });
    const refused = await statusOf(set(2));
    expect(refused.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(refused.details).toContain('override_protection=true');
    await set(2, { overrideProtection: true });
    await set(3, { overrideProtection: true, actor: 'bo' });
    const deleteRefused = await statusOf(
      call(r.client, r.client.deleteAlias, {
        modelName: 'classifier',
        alias: 'production',
        overrideProtection: false,
        actor: 'bo',
        reason: 'oops',
      }),
    );
    expect(deleteRefused.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(
      (await call(r.client, r.client.getVersion, { ref: ref('classifier', 'production') })).version?.version,
    ).toBe(3);

    const first = await call(r.client, r.client.getAliasHistory, {
      modelName: 'classifier',
      alias: 'production',
      pageSize: 2,
      pageToken: '',
    });
    expect(first.events.map((e) => [e.fromVersion, e.toVersion, e.actor])).toEqual([
      [2, 3, 'bo'],
      [1, 2, 'ana'],
    ]);
    expect(first.nextPageToken).not.toBe('');
    const second = await call(r.client, r.client.getAliasHistory, {
      modelName: 'classifier',
      alias: 'production',
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(second.events.map((e) => [e.fromVersion, e.toVersion, e.protected, e.reason])).toEqual([
      [0, 1, true, 'promote 1'],
    ]);
    expect(second.nextPageToken).toBe('');
    const model = await call(r.client, r.client.getModel, { name: 'classifier' });
    expect(model.model?.aliases).toEqual([
      expect.objectContaining({ name: 'production', version: 3, protected: true }),
    ]);
    const unknown = await statusOf(
      call(r.client, r.client.setAlias, {
        modelName: 'classifier',
        alias: 'staging',
        version: 9,
        overrideProtection: false,
        actor: '',
        reason: '',
      }),
    );
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
  });

  it('answers lineage queries over dataset → tokenizer → shards → base → finetuned, to any depth', async () => {
    await upload(r.client, meta('sotu', { kind: MODEL_KIND_DATASET }), Buffer.from('text'));
    await upload(
      r.client,
      meta('wordpiece', { kind: MODEL_KIND_TOKENIZER, parents: [parent('sotu', 1, 'trained_on')] }),
      Buffer.from('vocab'),
    );
    await upload(
      r.client,
      meta('sotu-shards', {
        kind: MODEL_KIND_DATASET,
        parents: [parent('sotu', 1, 'derived_from'), parent('wordpiece', 1, 'tokenized_with')],
      }),
      Buffer.from('shards'),
    );
    await upload(
      r.client,
      meta('bert-tiny', { kind: MODEL_KIND_BASE_MODEL, parents: [parent('sotu-shards', 1, 'trained_on')] }),
      Buffer.from('weights'),
    );
    await upload(
      r.client,
      meta('bert-tiny-sst2', {
        kind: MODEL_KIND_FINETUNED_MODEL,
        parents: [{ ref: ref('bert-tiny'), relation: 'finetuned_from' }],
      }),
      Buffer.from('tuned'),
    );
    const names = (res: registry.GetLineageResponse) => res.nodes.map((n) => n.modelName);

    const descendants = await call(r.client, r.client.getLineage, {
      ref: ref('sotu', 1),
      direction: registry.LineageDirection.LINEAGE_DIRECTION_DESCENDANTS,
      maxDepth: 0,
    });
    expect(names(descendants)).toEqual(['bert-tiny', 'bert-tiny-sst2', 'sotu-shards', 'wordpiece']);
    expect(descendants.edges).toHaveLength(5);

    const ancestors = await call(r.client, r.client.getLineage, {
      ref: ref('bert-tiny-sst2'),
      direction: registry.LineageDirection.LINEAGE_DIRECTION_ANCESTORS,
      maxDepth: 0,
    });
    expect(names(ancestors)).toEqual(['bert-tiny', 'sotu', 'sotu-shards', 'wordpiece']);
    expect(ancestors.root?.modelName).toBe('bert-tiny-sst2');

    const nearby = await call(r.client, r.client.getLineage, {
      ref: ref('sotu-shards', 1),
      direction: registry.LineageDirection.LINEAGE_DIRECTION_UNSPECIFIED,
      maxDepth: 1,
    });
    expect(names(nearby)).toEqual(['bert-tiny', 'sotu', 'wordpiece']);

    const finetunes = await call(r.client, r.client.searchVersions, {
      filter: registry.VersionFilter.fromPartial({ parent: ref('bert-tiny', 1), relation: 'finetuned_from' }),
      pageSize: 0,
      pageToken: '',
    });
    expect(finetunes.versions.map((v) => v.modelName)).toEqual(['bert-tiny-sst2']);

    const refused = await statusOf(call(r.client, r.client.deleteVersion, { modelName: 'sotu', version: 1 }));
    expect(refused.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(refused.details).toMatch(/descendant version\(s\), e\.g\. /);
  });

  it('never reuses a version number after a delete', async () => {
    for (let i = 0; i < 3; i++) await upload(r.client, meta('reuse'), Buffer.from(`r${i}`));
    await call(r.client, r.client.deleteVersion, { modelName: 'reuse', version: 3 });
    const gone = await statusOf(call(r.client, r.client.getVersion, { ref: ref('reuse', 3) }));
    expect(gone).toEqual({
      code: grpc.status.NOT_FOUND,
      details: 'version reuse:3 not found: it was deleted',
    });
    const next = await upload(r.client, meta('reuse'), Buffer.from('r3'));
    expect(next.version?.version).toBe(4);
    expect((await call(r.client, r.client.getVersion, { ref: ref('reuse') })).version?.version).toBe(4);
  });

  it('pages through models and versions with filters and opaque tokens', async () => {
    for (let m = 0; m < 5; m++) {
      const name = `paged-${m}`;
      await upload(r.client, meta(name, { tags: m % 2 ? ['odd'] : ['even'] }), Buffer.from(name));
      await upload(r.client, meta(name, { tags: ['second'] }), Buffer.from(`${name}b`));
      await call(r.client, r.client.setTags, {
        target: { $case: 'modelName', modelName: name },
        add: ['paged'],
        remove: [],
      });
    }
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const res = await call(r.client, r.client.listModels, {
        kind: MODEL_KIND_DATASET,
        namePrefix: 'paged-',
        tag: 'paged',
        pageSize: 2,
        pageToken,
      });
      seen.push(...res.models.map((m) => m.name));
      pageToken = res.nextPageToken;
      pages++;
    } while (pageToken);
    expect(seen).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4']);
    expect(pages).toBe(3);

    const versions: string[] = [];
    pageToken = '';
    do {
      const res = await call(r.client, r.client.searchVersions, {
        filter: registry.VersionFilter.fromPartial({ namePrefix: 'paged-' }),
        pageSize: 3,
        pageToken,
      });
      versions.push(...res.versions.map((v) => `${v.modelName}:${v.version}`));
      pageToken = res.nextPageToken;
    } while (pageToken);
    expect(versions).toHaveLength(10);
    expect(versions.slice(0, 4)).toEqual(['paged-0:1', 'paged-0:2', 'paged-1:1', 'paged-1:2']);

    const odd = await call(r.client, r.client.searchVersions, {
      filter: registry.VersionFilter.fromPartial({ tag: 'odd' }),
      pageSize: 10,
      pageToken: '',
    });
    expect(odd.versions.map((v) => v.modelName)).toEqual(['paged-1', 'paged-3']);

    const tags = await call(r.client, r.client.setTags, {
      target: { $case: 'version', version: ref('paged-1', 1) },
      add: ['reviewed', 'odd'],
      remove: ['missing'],
    });
    expect(tags.tags).toEqual(['odd', 'reviewed']);
  });

  it('filters versions by alias and run id', async () => {
    await upload(
      r.client,
      meta('runs', { runId: 'pretrain-42', aliases: ['latest-checkpoint'] }),
      Buffer.from('a'),
    );
    await upload(r.client, meta('runs', { runId: 'pretrain-43' }), Buffer.from('b'));
    const byRun = await call(r.client, r.client.searchVersions, {
      filter: registry.VersionFilter.fromPartial({ runId: 'pretrain-43' }),
      pageSize: 10,
      pageToken: '',
    });
    expect(byRun.versions.map((v) => v.version)).toEqual([2]);
    const byAlias = await call(r.client, r.client.searchVersions, {
      filter: registry.VersionFilter.fromPartial({ modelName: 'runs', alias: 'latest-checkpoint' }),
      pageSize: 10,
      pageToken: '',
    });
    expect(byAlias.versions.map((v) => [v.version, v.aliases])).toEqual([[1, ['latest-checkpoint']]]);
  });
});
