import { registry } from '@headstart/proto';

import { followRelations, formatLineageTree, lineageTree } from './lineage-tree';

const { ModelKind } = registry;

function version(
  id: string,
  name: string,
  kind: registry.ModelKind,
  parents: Array<[string, string, number, string]> = [],
): registry.ModelVersion {
  return registry.ModelVersion.fromPartial({
    id,
    modelName: name,
    version: 1,
    kind,
    parents: parents.map(([versionId, modelName, v, relation]) => ({
      versionId,
      modelName,
      version: v,
      relation,
    })),
  });
}

const corpus = version('c', 'corpus', ModelKind.MODEL_KIND_DATASET);
const tokenizer = version('t', 'wordpiece', ModelKind.MODEL_KIND_TOKENIZER, [
  ['c', 'corpus', 1, 'trained_on'],
]);
const shards = version('s', 'shards', ModelKind.MODEL_KIND_DATASET, [
  ['c', 'corpus', 1, 'derived_from'],
  ['t', 'wordpiece', 1, 'tokenized_with'],
]);
const base = version('b', 'bert', ModelKind.MODEL_KIND_BASE_MODEL, [
  ['s', 'shards', 1, 'trained_on'],
  ['t', 'wordpiece', 1, 'tokenized_with'],
]);
const task = version('d', 'task', ModelKind.MODEL_KIND_DATASET);
const finetuned = version('f', 'bert-task', ModelKind.MODEL_KIND_FINETUNED_MODEL, [
  ['b', 'bert', 1, 'finetuned_from'],
  ['d', 'task', 1, 'trained_on'],
]);

describe('lineage tree', () => {
  const tree = lineageTree({ root: finetuned, nodes: [corpus, tokenizer, shards, base, task], edges: [] });

  it('prints each version once, with relations and kinds', () => {
    expect(formatLineageTree(tree!)).toEqual([
      'bert-task:1 (FINETUNED_MODEL)',
      '├─ finetuned_from bert:1 (BASE_MODEL)',
      '│  ├─ trained_on shards:1 (DATASET)',
      '│  │  ├─ derived_from corpus:1 (DATASET)',
      '│  │  └─ tokenized_with wordpiece:1 (TOKENIZER)',
      '│  │     └─ trained_on corpus:1 (DATASET) (see above)',
      '│  └─ tokenized_with wordpiece:1 (TOKENIZER) (see above)',
      '└─ trained_on task:1 (DATASET)',
    ]);
  });

  it('follows a chain of relations back to the corpus', () => {
    expect(followRelations(tree!, ['finetuned_from', 'trained_on', 'tokenized_with', 'trained_on'])).toEqual([
      'bert-task:1',
      'bert:1',
      'shards:1',
      'wordpiece:1',
      'corpus:1',
    ]);
  });

  it('stops where a relation is missing, and is empty without a root', () => {
    expect(followRelations(tree!, ['finetuned_from', 'resumed_from'])).toEqual(['bert-task:1', 'bert:1']);
    expect(lineageTree({ root: undefined, nodes: [], edges: [] })).toBeUndefined();
  });
});
