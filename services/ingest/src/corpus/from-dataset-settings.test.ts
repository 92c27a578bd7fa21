import { Code, HeadstartError } from '@headstart/errors';
import { ingest } from '@headstart/proto';
import { defaultCorpusName } from './corpus-from-dataset';
import { EVAL_SPLITS, fromDatasetSettings, isEvalSplit } from './from-dataset-settings';

const request = (
  fields: Partial<ingest.CreateCorpusFromDatasetRequest> = {},
): ingest.CreateCorpusFromDatasetRequest =>
  ingest.CreateCorpusFromDatasetRequest.fromPartial({
    dataset: { name: 'task', selector: { $case: 'latest', latest: true } },
    ...fields,
  });

function refusal(fields: Partial<ingest.CreateCorpusFromDatasetRequest>): HeadstartError {
  try {
    fromDatasetSettings(request(fields));
  } catch (err) {
    expect(err).toBeInstanceOf(HeadstartError);
    return err as HeadstartError;
  }
  throw new Error('expected a refusal');
}

describe('fromDatasetSettings', () => {
  it('defaults to the train split, the upload validation split, and no corpus name yet', () => {
    expect(fromDatasetSettings(request())).toEqual({
      corpusName: '',
      textField: '',
      splitField: '',
      splits: ['train'],
      allowEvalSplits: false,
      validationFraction: 0.05,
      seed: 0,
      description: '',
      tags: [],
    });
  });

  it('sorts and deduplicates the splits', () => {
    expect(fromDatasetSettings(request({ splits: ['train', 'extra', 'train'] })).splits).toEqual([
      'extra',
      'train',
    ]);
  });

  it.each(['dev', 'test', 'Validation', 'HELDOUT'])('refuses %s unless allow_eval_splits', (split) => {
    const err = refusal({ splits: ['train', split] });
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(err.message).toMatch(new RegExp(`^splits "${split}" is an evaluation split: `));
    expect(err.message).toMatch(/allow_eval_splits \(headstart corpus from-dataset --force\)/);
    expect(err.details).toEqual({ field: 'splits', split });
    expect(fromDatasetSettings(request({ splits: [split], allowEvalSplits: true })).splits).toEqual([split]);
  });

  it('names every evaluation split asked for', () => {
    expect(refusal({ splits: ['dev', 'test'] }).message).toMatch(
      /^splits "dev", "test" are evaluation splits/,
    );
  });

  it('knows the evaluation split names without case', () => {
    expect(EVAL_SPLITS.every(isEvalSplit)).toBe(true);
    expect(isEvalSplit('DEV')).toBe(true);
    expect(isEvalSplit('train')).toBe(false);
    expect(isEvalSplit('unlabelled')).toBe(false);
  });

  it.each([
    [{ corpusName: 'Bad Name' }, 'corpus_name'],
    [{ textField: 'has space' }, 'text_field'],
    [{ textField: 'x', splitField: 'x' }, 'split_field'],
    [{ splits: [' '] }, 'splits'],
    [{ validationFraction: 1 }, 'validation_fraction'],
    [{ validationFraction: -0.1 }, 'validation_fraction'],
    [{ tags: ['bad tag'] }, 'tags'],
  ] as [Partial<ingest.CreateCorpusFromDatasetRequest>, string][])(
    'refuses %j naming %s',
    (fields, field) => {
      const err = refusal(fields);
      expect(err.code).toBe(Code.INVALID_ARGUMENT);
      expect(err.details).toMatchObject({ field });
    },
  );
});

describe('defaultCorpusName', () => {
  it('is the dataset name + "-text", and asks for corpus_name when that is too long', () => {
    expect(defaultCorpusName('dictionary-domains')).toBe('dictionary-domains-text');
    expect(() => defaultCorpusName('x'.repeat(125))).toThrow(/^corpus_name is required: the default/);
  });
});
