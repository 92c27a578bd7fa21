import { ingest } from '@headstart/proto';
import { specialTokenRoles } from './tokenize';
import { settingsMetadata, trainSettings } from './train-settings';

const request = (fields: Partial<ingest.StartTrainTokenizerRequest>) =>
  ingest.StartTrainTokenizerRequest.fromPartial({ tokenizerName: 't', vocabSize: 1000, ...fields });

describe('trainSettings', () => {
  it('makes every default explicit, per tokenizer type', () => {
    expect(trainSettings(request({}))).toEqual({
      type: 'wordpiece',
      vocabSize: 1000,
      minFrequency: 2,
      specialTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'],
      lowercase: true,
      stripAccents: true,
      unicodeNormalization: null,
    });
    const bpe = trainSettings(request({ type: ingest.TokenizerType.TOKENIZER_TYPE_BYTE_LEVEL_BPE }));
    expect(bpe).toMatchObject({ type: 'byte_level_bpe', lowercase: false, stripAccents: false });
    expect(bpe.specialTokens).toEqual(['<s>', '<pad>', '</s>', '<unk>', '<mask>']);
  });

  it('takes the normalizer options as given', () => {
    const settings = trainSettings(
      request({
        minFrequency: 1,
        specialTokens: ['[PAD]', '[UNK]'],
        normalizer: {
          lowercase: true,
          stripAccents: false,
          unicodeNormalization: ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFKC,
        },
      }),
    );
    expect(settings).toMatchObject({
      minFrequency: 1,
      lowercase: true,
      stripAccents: false,
      unicodeNormalization: 'nfkc',
    });
    expect(settingsMetadata(settings)).toMatchObject({
      special_tokens: '["[PAD]","[UNK]"]',
      unicode_normalization: 'nfkc',
      strip_accents: 'false',
    });
  });

  it('refuses bad options naming the field', () => {
    const field = (fields: Partial<ingest.StartTrainTokenizerRequest>): unknown => {
      try {
        trainSettings(request(fields));
      } catch (err) {
        return (err as { details?: Record<string, string> }).details?.['field'];
      }
      return undefined;
    };
    expect(field({ vocabSize: 0 })).toBe('vocab_size');
    expect(field({ vocabSize: 2 ** 21 })).toBe('vocab_size');
    expect(field({ minFrequency: 0 })).toBe('min_frequency');
    expect(field({ type: 9 as ingest.TokenizerType })).toBe('type');
    expect(field({ specialTokens: ['ok', ' '] })).toBe('special_tokens[1]');
    expect(field({ normalizer: { unicodeNormalization: 42 as ingest.UnicodeNormalization } })).toBe(
      'normalizer.unicode_normalization',
    );
    expect(field({})).toBeUndefined();
  });
});

describe('specialTokenRoles', () => {
  it('maps BERT and RoBERTa style specials to roles', () => {
    expect(specialTokenRoles({ '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4 })).toEqual({
      pad: 0,
      unk: 1,
      cls: 2,
      sep: 3,
      mask: 4,
    });
    expect(specialTokenRoles({ '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3, '<mask>': 4 })).toEqual({
      pad: 1,
      unk: 3,
      cls: 0,
      sep: 2,
      mask: 4,
      bos: 0,
      eos: 2,
    });
  });
});
