import {
  Tokenizer,
  serializeTokenizer,
  trainByteLevelBpe,
  trainWordPiece,
  type TokenizerJson,
} from './index';
import { syntheticCorpus } from './testing/corpus';

describe('Tokenizer', () => {
  let json: TokenizerJson;
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    json = await trainWordPiece(syntheticCorpus(200, 11), { vocabSize: 400 });
    tokenizer = Tokenizer.fromJSON(json);
  });

  it('round-trips tokenizer.json, vocabulary written in id order even for numeric tokens', () => {
    const text = serializeTokenizer(json);
    expect(serializeTokenizer(JSON.parse(text) as TokenizerJson)).toBe(text);
    const vocab = text.slice(text.indexOf('"vocab": {'));
    const ids = [...vocab.matchAll(/": (\d+)/g)].map((m) => Number(m[1]));
    expect(ids).toEqual(ids.map((_, i) => i));
    expect(Object.keys(json.model.vocab).some((t) => /^\d+$/.test(t))).toBe(true);
    expect(Tokenizer.fromJSON(text).encode('the nation').ids).toEqual(tokenizer.encode('the nation').ids);
  });

  it('encodes with [CLS]/[SEP], pairs and type ids, and decodes back', () => {
    const e = tokenizer.encode('The Nation', 'of people');
    expect(e.tokens[0]).toBe('[CLS]');
    expect(e.tokens.filter((t) => t === '[SEP]')).toHaveLength(2);
    expect(e.typeIds).toEqual(e.tokens.map((_, i) => (i > e.tokens.indexOf('[SEP]') ? 1 : 0)));
    expect(tokenizer.decode(e.ids)).toBe('the nation of people');
    expect(tokenizer.decode(e.ids, { skipSpecialTokens: false })).toBe(
      '[CLS] the nation [SEP] of people [SEP]',
    );
    expect(tokenizer.specialTokens.map((s) => s.token)).toEqual([
      '[PAD]',
      '[UNK]',
      '[CLS]',
      '[SEP]',
      '[MASK]',
    ]);
    expect(tokenizer.tokenToId('[MASK]')).toBe(4);
    expect(tokenizer.idToToken(2)).toBe('[CLS]');
  });

  it('turns over-long words and unknown characters into [UNK]', () => {
    const e = tokenizer.encode(`${'a'.repeat(101)} ✈`, null, { addSpecialTokens: false });
    expect(e.tokens).toEqual(['[UNK]', '[UNK]']);
    expect(e.offsets).toEqual([
      [0, 101],
      [102, 103],
    ]);
  });

  it('reports offsets in code points or UTF-16 units', () => {
    const utf16 = Tokenizer.fromJSON(json, { offsets: 'utf16' });
    const text = '😀 the';
    expect(tokenizer.encode(text, null, { addSpecialTokens: false }).offsets.at(-1)).toEqual([2, 5]);
    const [start, end] = utf16.encode(text, null, { addSpecialTokens: false }).offsets.at(-1)!;
    expect(text.slice(start, end)).toBe('the');
  });

  it('truncates and pads batches', () => {
    const batch = tokenizer.encodeBatch(['the nation of people and the government', 'war'], {
      maxLength: 6,
      padding: 'max_length',
    });
    expect(batch.map((e) => e.ids.length)).toEqual([6, 6]);
    expect(batch[0]!.tokens.at(-1)).toBe('[SEP]');
    const real = tokenizer.encode('war').ids.length;
    expect(real).toBeLessThan(6);
    const padded = batch[1]!;
    expect(padded.attentionMask).toEqual(padded.ids.map((_, i) => (i < real ? 1 : 0)));
    expect(padded.tokens.slice(real)).toEqual(Array(6 - real).fill('[PAD]'));
    expect(padded.specialTokensMask.slice(real)).toEqual(Array(6 - real).fill(1));
    const longest = tokenizer.encodeBatch(['war', 'war and peace'], { padding: 'longest' });
    expect(longest[0]!.ids.length).toBe(longest[1]!.ids.length);
    expect(() => tokenizer.encodeBatch(['a'], { padding: 'max_length' })).toThrow(/maxLength/);
    expect(() => tokenizer.encodeBatch(['a', 'b'], { pairs: ['c'] })).toThrow(/pairs/);
  });

  it('byte-level BPE decodes to the exact input', async () => {
    const bpe = Tokenizer.fromJSON(await trainByteLevelBpe(syntheticCorpus(100, 2), { vocabSize: 400 }));
    const text = 'Ünïcödé 😀 text\twith  spaces\n';
    expect(bpe.decode(bpe.encode(text).ids)).toBe(text);
  });
});
