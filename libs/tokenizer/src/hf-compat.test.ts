// The reference check: tokenizers we train must load in Hugging Face's own binding (`tokenizers` on
// npm) and encode held-out text exactly as our encoder does: ids, tokens, offsets, type ids,
// special-token handling, truncation and padding.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hf from 'tokenizers';
import {
  Tokenizer,
  type TokenizerJson,
  serializeTokenizer,
  trainByteLevelBpe,
  trainWordPiece,
} from './index';
import { syntheticCorpus } from './testing/corpus';

const corpus = syntheticCorpus(400, 7);

// Text the trainers never saw: unseen words, accents in both compositions, uppercase, numbers,
// punctuation runs, CJK, emoji (astral), control characters, odd whitespace, very long words, and
// special tokens typed inline.
const LONG = 'supercalifragilistic'.repeat(6);
const HELD_OUT = [
  'The Senate, in its wisdom, rejected the treaty of 1919!',
  'Crème brûlée costs €12.50 — naïve? Noël, Ærø, ĳssel and İstanbul.',
  'Decomposed: cafe\u0301 and precomposed: café; NFKC: ﬁnance ①②, ｆｕｌｌｗｉｄｔｈ.',
  'ALL CAPS SHOUTING!!! mixedCase CamelCaseWords',
  'Numbers 3.14159, 2,718 and 1e10; dates 2021-01-20.',
  '中文字符 and 日本語 mixed with English.',
  'Emoji 😀 inside words like a😀b and 👩‍👩‍👧 families.',
  'tabs\tand\nnewlines\r\nand  double  spaces   and\u00a0nbsp\u2003em-space',
  'control\u0000chars\u0007removed\u200bzero\ufeffwidth',
  `a very long word ${LONG} ends here`,
  'Inline specials: [CLS] hello [SEP] world [MASK] [PAD] <s> </s>',
  "Contractions: don't, I'm, we've, they're, it's, she'll, he'd.",
  '   leading and trailing spaces   ',
  '',
  'ΣΊΣΥΦΟΣ ΟΔΥΣΣΕΥΣ and ß ẞ ǅ ﬀ',
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-compat-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadInBinding(json: TokenizerJson, name: string): hf.Tokenizer {
  const path = join(dir, name);
  writeFileSync(path, serializeTokenizer(json));
  return hf.Tokenizer.fromFile(path);
}

async function expectSame(
  ours: Tokenizer,
  theirs: hf.Tokenizer,
  text: string,
  pair: string | null,
  addSpecialTokens = true,
): Promise<void> {
  const e = await theirs.encode(text, pair, { addSpecialTokens });
  const o = ours.encode(text, pair, { addSpecialTokens });
  const label = JSON.stringify({ text, pair });
  expect({ label, tokens: o.tokens }).toEqual({ label, tokens: e.getTokens() });
  expect({ label, ids: o.ids }).toEqual({ label, ids: e.getIds() });
  expect({ label, offsets: o.offsets }).toEqual({ label, offsets: e.getOffsets() });
  expect({ label, typeIds: o.typeIds }).toEqual({ label, typeIds: e.getTypeIds() });
  expect({ label, special: o.specialTokensMask }).toEqual({ label, special: e.getSpecialTokensMask() });
  expect({ label, attention: o.attentionMask }).toEqual({ label, attention: e.getAttentionMask() });
  for (const skip of [true, false]) {
    expect({ label, skip, text: ours.decode(o.ids, { skipSpecialTokens: skip }) }).toEqual({
      label,
      skip,
      text: await theirs.decode(e.getIds(), skip),
    });
  }
}

async function expectSameBatch(ours: Tokenizer, theirs: hf.Tokenizer, maxLength: number): Promise<void> {
  const texts = HELD_OUT.slice(0, 8);
  const pairs = HELD_OUT.slice(7, 15);
  for (const padding of ['longest', 'max_length'] as const) {
    const pad = ours.tokenToId('[PAD]') ?? ours.tokenToId('<pad>')!;
    theirs.setTruncation(maxLength);
    theirs.setPadding({
      padId: pad,
      padToken: ours.idToToken(pad)!,
      ...(padding === 'max_length' ? { maxLength } : {}),
    });
    for (const withPairs of [false, true]) {
      // The binding's encodeBatch takes no pairs; with pairs, encode one by one (fixed padding only).
      // Pairs are compared where the shorter sequence fits in maxLength (see truncate()).
      if (withPairs && (padding === 'longest' || maxLength < 40)) continue;
      const e = withPairs
        ? await Promise.all(texts.map((t, i) => theirs.encode(t, pairs[i]!)))
        : await theirs.encodeBatch(texts);
      const o = ours.encodeBatch(texts, { maxLength, padding, ...(withPairs ? { pairs } : {}) });
      expect(o.map((x) => x.ids)).toEqual(e.map((x) => x.getIds()));
      expect(o.map((x) => x.offsets)).toEqual(e.map((x) => x.getOffsets()));
      expect(o.map((x) => x.typeIds)).toEqual(e.map((x) => x.getTypeIds()));
      expect(o.map((x) => x.attentionMask)).toEqual(e.map((x) => x.getAttentionMask()));
      expect(o.map((x) => x.specialTokensMask)).toEqual(e.map((x) => x.getSpecialTokensMask()));
      expect(o.map((x) => x.tokens)).toEqual(e.map((x) => x.getTokens()));
    }
    theirs.disableTruncation();
    theirs.disablePadding();
  }
}

describe('WordPiece tokenizer.json in the Hugging Face binding', () => {
  let json: TokenizerJson;
  let ours: Tokenizer;
  let theirs: hf.Tokenizer;
  beforeAll(async () => {
    json = await trainWordPiece(corpus, { vocabSize: 400, limitAlphabet: 60 });
    ours = Tokenizer.fromJSON(json);
    theirs = loadInBinding(json, 'wordpiece.json');
  });

  it('loads with the same vocabulary and special tokens', () => {
    expect(theirs.getVocabSize(true)).toBe(ours.vocabSize);
    expect(theirs.getVocab(true)).toEqual(json.model.vocab);
    for (const { token, id } of ours.specialTokens) expect(theirs.tokenToId(token)).toBe(id);
  });

  it.each(HELD_OUT.map((t) => [t]))('encodes %j identically', async (text) => {
    await expectSame(ours, theirs, text, null);
    await expectSame(ours, theirs, text, null, false);
  });

  it('encodes pairs identically', async () => {
    for (let i = 0; i + 1 < HELD_OUT.length; i++)
      await expectSame(ours, theirs, HELD_OUT[i]!, HELD_OUT[i + 1]!);
  });

  it('truncates and pads batches identically', async () => {
    await expectSameBatch(ours, theirs, 16);
    await expectSameBatch(ours, theirs, 7);
    await expectSameBatch(ours, theirs, 40);
  });

  it.each(['nfkc', 'nfc'] as const)('matches with a %s normalizer and accents kept', async (form) => {
    const variant = await trainWordPiece(corpus.slice(0, 100), {
      vocabSize: 300,
      unicodeNormalization: form,
      lowercase: false,
      stripAccents: false,
    });
    const o = Tokenizer.fromJSON(variant);
    const t = loadInBinding(variant, `wordpiece-${form}.json`);
    for (const text of HELD_OUT) await expectSame(o, t, text, null);
  });
});

describe('byte-level BPE tokenizer.json in the Hugging Face binding', () => {
  it.each([false, true])('encodes held-out text identically (addPrefixSpace %s)', async (addPrefixSpace) => {
    const json = await trainByteLevelBpe(corpus, { vocabSize: 500, addPrefixSpace });
    const ours = Tokenizer.fromJSON(json);
    const theirs = loadInBinding(json, `bpe-${addPrefixSpace}.json`);
    expect(theirs.getVocab(true)).toEqual(json.model.vocab);
    for (const text of HELD_OUT) {
      await expectSame(ours, theirs, text, null);
    }
    for (let i = 0; i + 1 < HELD_OUT.length; i++)
      await expectSame(ours, theirs, HELD_OUT[i]!, HELD_OUT[i + 1]!);
    await expectSameBatch(ours, theirs, 12);
    await expectSameBatch(ours, theirs, 40);
  });
});

describe('vocabulary against the binding’s own trainer', () => {
  // The binding can train only with the model's default trainer (vocab 30000, min frequency 0, no
  // special tokens, no alphabet limit), so we train ours the same way. Both break count ties by token
  // id, but HF numbers "##x" symbols in hash-map order, so tied merges can still differ.
  it('learns nearly the same WordPiece vocabulary', async () => {
    const path = join(dir, 'corpus.txt');
    writeFileSync(path, corpus.join('\n'));
    const theirs = new hf.Tokenizer(hf.WordPiece.empty());
    theirs.setNormalizer(hf.bertNormalizer({}));
    theirs.setPreTokenizer(hf.bertPreTokenizer());
    theirs.train([path]);
    const json = await trainWordPiece(corpus, { specialTokens: [], minFrequency: 0, limitAlphabet: null });
    const ourTokens = new Set(Object.keys(json.model.vocab));
    const theirTokens = new Set(Object.keys(theirs.getVocab(true)));
    const shared = [...ourTokens].filter((t) => theirTokens.has(t)).length;
    const overlap = shared / Math.max(ourTokens.size, theirTokens.size);
    console.log(
      `vocab ours=${ourTokens.size} theirs=${theirTokens.size} shared=${shared} overlap=${overlap}`,
    );
    expect(Math.abs(ourTokens.size - theirTokens.size)).toBeLessThanOrEqual(ourTokens.size * 0.02);
    expect(overlap).toBeGreaterThan(0.98);
  });
});
