import { Code, HeadstartError } from '@headstart/errors';
import { finetune } from '@headstart/proto';
import { dataSettings } from '../spec/resolve-spec';
import { parseDataset } from './parse-dataset';
import { prepareExamples } from './prepare-examples';

const settings = (overrides: Partial<finetune.DatasetOptions> = {}) =>
  dataSettings(finetune.FinetuneSpec.fromPartial({ data: overrides, hyperparameters: { seed: 5 } }));

const jsonl = (rows: object[]) => Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'));

function rows(counts: Record<string, Record<string, number>>): object[] {
  const out: object[] = [];
  let n = 0;
  for (const [split, labels] of Object.entries(counts)) {
    for (const [label, count] of Object.entries(labels)) {
      for (let i = 0; i < count; i++) out.push({ id: `e${n++}`, text: `${label} text ${n}`, label, split });
    }
  }
  return out;
}

function invalid(fn: () => unknown): HeadstartError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HeadstartError);
    expect((err as HeadstartError).code).toBe(Code.INVALID_ARGUMENT);
    return err as HeadstartError;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('parseDataset', () => {
  it('detects JSONL and CSV from metadata or content', () => {
    expect(parseDataset(jsonl([{ text: 'a', label: 1 }])).format).toBe('jsonl');
    expect(parseDataset(Buffer.from('text,label\na,1\n')).format).toBe('csv');
    expect(parseDataset(Buffer.from('{"text":"a"}\n'), { format: 'csv' }).format).toBe('csv');
  });

  it('names the line of bad JSON', () => {
    const err = invalid(() => parseDataset(Buffer.from('{"text":"a","label":"x"}\n{oops\n')));
    expect(err.message).toMatch(/^dataset line 2 is not JSON \(.*\); write one JSON object per line/);
    expect(err.details).toMatchObject({ field: 'dataset', line: '2', problem: 'not-json' });
  });

  it('reads quoted CSV fields and names the line and byte offset of bytes that are not UTF-8', () => {
    const text = '\ufefftext,label\r\n"hello, ""world""",spam\r\n"two\nlines",ham\n\nplain,ham';
    expect(parseDataset(Buffer.from(text)).rows).toEqual([
      { line: 2, fields: { text: 'hello, "world"', label: 'spam' } },
      { line: 3, fields: { text: 'two\nlines', label: 'ham' } },
      { line: 6, fields: { text: 'plain', label: 'ham' } },
    ]);
    expect(invalid(() => parseDataset(Buffer.from('a,b\n1,2,3\n'))).message).toMatch(
      /^dataset line 2 has 3 fields, the header has 2; /,
    );
    const latin1 = Buffer.concat([Buffer.from('text,label\ncaf'), Buffer.from([0xe9]), Buffer.from(',a\n')]);
    const err = invalid(() => parseDataset(latin1));
    expect(err.message).toMatch(/^dataset line 2: byte 4 of the line \(offset 14 in the file\) is not UTF-8/);
    expect(err.details).toMatchObject({ line: '2', byte_offset: '14', problem: 'not-utf8' });
  });
});

describe('prepareExamples', () => {
  const data = parseDataset(
    jsonl(rows({ train: { spam: 6, ham: 10 }, dev: { spam: 2, ham: 2 }, test: { spam: 3, ham: 3 } })),
  );

  it('uses the split field and sorts labels', () => {
    const prepared = prepareExamples(data, settings());
    expect(prepared.labels).toEqual(['ham', 'spam']);
    expect([prepared.train.length, prepared.dev.length, prepared.test.length]).toEqual([16, 4, 6]);
    expect(prepared.splitSource).toBe(finetune.SplitSource.SPLIT_SOURCE_FIELD);
  });

  it('an unknown label or text field is INVALID_ARGUMENT listing the fields', () => {
    const err = invalid(() => prepareExamples(data, settings({ labelField: 'category' })));
    expect(err.message).toContain(
      'unknown label field "category": the dataset\'s fields are id, text, label, split',
    );
    expect(err.details?.field).toBe('spec.data.label_field');
    expect(invalid(() => prepareExamples(data, settings({ textField: 'body' }))).details?.field).toBe(
      'spec.data.text_field',
    );
  });

  it('a single-class training split is INVALID_ARGUMENT', () => {
    const single = parseDataset(jsonl(rows({ train: { spam: 5 }, test: { spam: 2 } })));
    expect(invalid(() => prepareExamples(single, settings())).message).toMatch(
      /single-class dataset: the 5 training examples all have label "spam"/,
    );
  });

  it('a label budget larger than the training split is INVALID_ARGUMENT with the sizes', () => {
    const err = invalid(() => prepareExamples(data, settings({ labelBudget: 17 })));
    expect(err.message).toBe('label budget 17 is larger than the 16 training examples (spam: 6, ham: 10)');
    expect(err.details).toMatchObject({ budget: '17', available: '16' });
  });

  it('a label budget takes a seeded, stratified, nested prefix that sees every class first', () => {
    const four = prepareExamples(data, settings({ labelBudget: 4 }));
    const eight = prepareExamples(data, settings({ labelBudget: 8 }));
    expect(
      four.train
        .slice(0, 2)
        .map((e) => e.label)
        .sort(),
    ).toEqual(['ham', 'spam']);
    expect(eight.train.slice(0, 4)).toEqual(four.train);
    expect(eight.train.filter((e) => e.label === 'spam')).toHaveLength(3);
    expect(four.trainAvailable).toBe(16);
    const otherSeed = prepareExamples(data, settings({ labelBudget: 8, budgetSeed: 99 }));
    expect(otherSeed.train.map((e) => e.id)).not.toEqual(eight.train.map((e) => e.id));
  });

  it('without a split field makes a seeded stratified 80/10/10 split and says so', () => {
    const plain = parseDataset(
      jsonl(Array.from({ length: 40 }, (_, i) => ({ text: `t${i}`, label: i % 4 === 0 ? 'a' : 'b' }))),
    );
    const prepared = prepareExamples(plain, settings());
    expect(prepared.splitSource).toBe(finetune.SplitSource.SPLIT_SOURCE_AUTO);
    expect([prepared.train.length, prepared.dev.length, prepared.test.length]).toEqual([32, 4, 4]);
    expect(prepared.test.filter((e) => e.label === 'a')).toHaveLength(1);
    expect(prepared.warnings.join(' ')).toMatch(/seeded stratified split/);
  });

  it('reads CSV with numeric labels and skips rows without text or label', () => {
    const csv = parseDataset(
      Buffer.from('text,label,split\nx,0,train\ny,1,train\n,1,train\nz,,test\nw,1,test\n'),
    );
    const prepared = prepareExamples(csv, settings());
    expect(prepared.labels).toEqual(['0', '1']);
    expect(prepared.test).toHaveLength(1);
    expect(prepared.warnings[0]).toBe('2 of 5 rows skipped: no text or no label (lines 4, 5)');
  });

  it('a dataset where no row has both a text and a label is INVALID_ARGUMENT naming the lines', () => {
    const unlabelled = parseDataset(Buffer.from('text,label\na,\nb, \nc,\nd,\ne,\nf,\n'));
    expect(invalid(() => prepareExamples(unlabelled, settings())).message).toBe(
      'no row has both a text ("text") and a label ("label"): lines 2, 3, 4, 5, 6 and 1 more; ' +
        'give the rows their labels',
    );
  });

  it('an empty test split is INVALID_ARGUMENT', () => {
    const noTest = parseDataset(jsonl(rows({ train: { a: 2, b: 2 } })));
    expect(invalid(() => prepareExamples(noTest, settings())).details?.field).toBe('spec.data.test_split');
  });
});
