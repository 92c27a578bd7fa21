import { registry } from '@headstart/proto';
import { renderLineage } from './lineage-tree';

function version(id: string, modelName: string, v: number, kind: registry.ModelKind): registry.ModelVersion {
  return { ...registry.ModelVersion.fromPartial({ id, modelName, version: v, kind }) };
}

const K = registry.ModelKind;
const corpus = version('c', 'wiki', 2, K.MODEL_KIND_DATASET);
const tokenizer = version('t', 'wordpiece', 1, K.MODEL_KIND_TOKENIZER);
const base = version('b', 'bert', 3, K.MODEL_KIND_BASE_MODEL);
const tuned = version('f', 'sentiment', 1, K.MODEL_KIND_FINETUNED_MODEL);

describe('renderLineage', () => {
  it('draws ancestors and descendants as trees and does not expand a shared ancestor twice', () => {
    const lineage: registry.GetLineageResponse = {
      root: base,
      nodes: [corpus, tokenizer, tuned],
      edges: [
        { childId: 'b', parentId: 'c', relation: 'trained_on' },
        { childId: 'b', parentId: 't', relation: 'tokenized_with' },
        { childId: 't', parentId: 'c', relation: 'trained_on' },
        { childId: 'f', parentId: 'b', relation: 'finetuned_from' },
      ],
    };
    expect(renderLineage(lineage, ['ancestors', 'descendants'])).toBe(
      [
        'bert:3  base_model',
        'ancestors (made from):',
        '  ├── trained_on ← wiki:2  dataset',
        '  └── tokenized_with ← wordpiece:1  tokenizer',
        '      └── trained_on ← wiki:2  dataset  (shown above)',
        'descendants (made from it):',
        '  └── finetuned_from → sentiment:1  finetuned_model',
        '',
      ].join('\n'),
    );
  });

  it('flags a corpus that holds evaluation splits', () => {
    const leaky = registry.ModelVersion.fromPartial({
      id: 'l',
      modelName: 'task-text',
      version: 1,
      kind: K.MODEL_KIND_DATASET,
      metadata: { includes_eval_splits: 'true' },
    });
    const task = version('d', 'task', 1, K.MODEL_KIND_DATASET);
    const lineage: registry.GetLineageResponse = {
      root: tokenizer,
      nodes: [leaky, task],
      edges: [
        { childId: 't', parentId: 'l', relation: 'trained_on' },
        { childId: 'l', parentId: 'd', relation: 'derived_from' },
      ],
    };
    expect(renderLineage(lineage, ['ancestors'])).toBe(
      [
        'wordpiece:1  tokenizer',
        'ancestors (made from):',
        '  └── trained_on ← task-text:1  dataset  (warning: includes eval splits)',
        '      └── derived_from ← task:1  dataset',
        '',
      ].join('\n'),
    );
  });

  it('says when a direction is empty', () => {
    expect(renderLineage({ root: corpus, nodes: [], edges: [] }, ['descendants'])).toBe(
      'wiki:2  dataset\ndescendants (made from it):\n    (none)\n',
    );
  });
});
