import { serializeTokenizer, trainByteLevelBpe, trainWordPiece, type TrainProgress } from '../index';
import { mulberry32, syntheticCorpus } from '../testing/corpus';
import { trainBpe } from './bpe-trainer';

const FIVE_WORDS = [
  ...Array<string>(10).fill('hug'),
  ...Array<string>(5).fill('pug'),
  ...Array<string>(12).fill('pun'),
  ...Array<string>(4).fill('bun'),
  ...Array<string>(5).fill('hugs'),
];

describe('WordPiece training on a 5-word corpus (hand-computed)', () => {
  // Pair counts: (##u,##g)=20 (h,##u)=15 (p,##u)=17 (##u,##n)=16 (##g,##s)=5 (b,##u)=4.
  // 1. ##u ##g (20)  2. ##u ##n (16)  3. h ##ug (15)  4. p ##un (12)
  // 5. tie at 5 between (hug, ##s) and (p, ##ug): p (id 9) < hug (id 18), so pug first  6. hug ##s  7. b ##un
  it('learns the merges in the documented order', async () => {
    const json = await trainWordPiece(FIVE_WORDS, { minFrequency: 0 });
    expect(json.model.vocab).toEqual({
      '[PAD]': 0,
      '[UNK]': 1,
      '[CLS]': 2,
      '[SEP]': 3,
      '[MASK]': 4,
      b: 5,
      g: 6,
      h: 7,
      n: 8,
      p: 9,
      s: 10,
      u: 11,
      '##g': 12,
      '##n': 13,
      '##s': 14,
      '##u': 15,
      '##ug': 16,
      '##un': 17,
      hug: 18,
      pun: 19,
      pug: 20,
      hugs: 21,
      bun: 22,
    });
  });

  it('stops at vocabSize and at minFrequency', async () => {
    const small = await trainWordPiece(FIVE_WORDS, { vocabSize: 18, minFrequency: 0 });
    expect(Object.keys(small.model.vocab).slice(-2)).toEqual(['##ug', '##un']);
    const frequent = await trainWordPiece(FIVE_WORDS, { minFrequency: 12 });
    expect(Object.keys(frequent.model.vocab).slice(16)).toEqual(['##ug', '##un', 'hug', 'pun']);
  });

  it('limits the alphabet to the most frequent characters', async () => {
    const json = await trainWordPiece(['aaa bbb c d'], {
      limitAlphabet: 3,
      minFrequency: 0,
      specialTokens: [],
    });
    // a=3 b=3 c=1 d=1: the tie between c and d drops the higher code point (d).
    expect(Object.keys(json.model.vocab).slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(json.model.vocab).not.toHaveProperty('d');
  });
});

describe('BPE merge loop', () => {
  it("reproduces Hugging Face's own BpeTrainer test (min frequency 2)", async () => {
    const counts = new Map<string, number>([
      ['roses', 1],
      ['are', 2],
      ['red', 1],
      ['voilets', 1],
      ['blue', 1],
      ['BERT', 1],
      ['is', 2],
      ['big', 1],
      ['and', 1],
      ['so', 1],
      ['GPT-2', 1],
    ]);
    const config = {
      vocabSize: 30000,
      minFrequency: 2,
      specialTokens: [],
      limitAlphabet: null,
      initialAlphabet: [],
      continuingSubwordPrefix: null,
    };
    const { vocab, merges } = await trainBpe(counts, config, {});
    expect(vocab).toEqual([...'- 2 B E G P R T a b d e g i l n o r s t u v'.split(' '), 're', 'are', 'is']);
    expect(merges).toEqual([
      ['r', 'e'],
      ['a', 're'],
      ['i', 's'],
    ]);
  });

  it('keeps counts above 2^32 exact', async () => {
    const big = 2 ** 40;
    const { merges } = await trainBpe(
      new Map([
        ['ab', big],
        ['cd', big - 1],
      ]),
      {
        vocabSize: 100,
        minFrequency: 0,
        specialTokens: [],
        limitAlphabet: null,
        initialAlphabet: [],
        continuingSubwordPrefix: null,
      },
      {},
    );
    expect(merges).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });
});

describe('determinism', () => {
  const corpus = syntheticCorpus(300, 3);

  it('gives byte-identical tokenizer.json for the same corpus', async () => {
    const a = serializeTokenizer(await trainWordPiece(corpus, { vocabSize: 500 }));
    const b = serializeTokenizer(await trainWordPiece(corpus, { vocabSize: 500 }));
    expect(a).toBe(b);
    const c = serializeTokenizer(await trainByteLevelBpe(corpus, { vocabSize: 500 }));
    const d = serializeTokenizer(await trainByteLevelBpe(corpus, { vocabSize: 500 }));
    expect(c).toBe(d);
  });

  it('does not depend on the order documents (and so words) arrive in', async () => {
    const rand = mulberry32(99);
    const shuffled = [...corpus].sort(() => rand() - 0.5);
    for (const train of [trainWordPiece, trainByteLevelBpe]) {
      const a = serializeTokenizer(await train(corpus, { vocabSize: 600 }));
      const b = serializeTokenizer(await train(shuffled, { vocabSize: 600 }));
      expect(b).toBe(a);
    }
    // Equal-count words inserted in opposite orders tie everywhere.
    const words = ['ab', 'ba', 'cd', 'dc', 'ac', 'ca'];
    const x = serializeTokenizer(await trainWordPiece(words, { minFrequency: 0 }));
    const y = serializeTokenizer(await trainWordPiece([...words].reverse(), { minFrequency: 0 }));
    expect(y).toBe(x);
  });
});

describe('streaming, progress and cancellation', () => {
  const corpus = syntheticCorpus(200, 5);

  it('accepts an async iterable and gives the same result as an array', async () => {
    async function* stream(): AsyncGenerator<string> {
      for (const doc of corpus) yield doc;
    }
    const fromArray = serializeTokenizer(await trainWordPiece(corpus, { vocabSize: 300 }));
    const fromStream = serializeTokenizer(await trainWordPiece(stream(), { vocabSize: 300 }));
    expect(fromStream).toBe(fromArray);
  });

  it('reports progress through every phase', async () => {
    const seen: TrainProgress[] = [];
    await trainWordPiece(corpus, { vocabSize: 1000, minFrequency: 0, onProgress: (p) => seen.push(p) });
    expect(seen[0]!.phase).toBe('counting');
    expect(seen.some((p) => p.phase === 'merging')).toBe(true);
    const last = seen[seen.length - 1]!;
    expect(last.phase).toBe('done');
    expect(last.merges).toBeGreaterThan(200);
    expect(last.documents).toBe(corpus.length);
    expect(last.words).toBeGreaterThan(corpus.length);
    expect(last.vocabSize).toBeLessThanOrEqual(1000);
  });

  it('rejects when aborted before or during training', async () => {
    const before = new AbortController();
    before.abort();
    await expect(trainWordPiece(corpus, { signal: before.signal })).rejects.toThrow(/abort/i);

    const during = new AbortController();
    const training = trainByteLevelBpe(syntheticCorpus(2000, 8), {
      vocabSize: 5000,
      minFrequency: 0,
      signal: during.signal,
      onProgress: (p) => {
        if (p.phase === 'merging' && p.merges >= 200) during.abort();
      },
    });
    await expect(training).rejects.toThrow(/abort/i);
  });

  it('rejects documents that are not strings', async () => {
    await expect(trainWordPiece(['ok', 42 as unknown as string])).rejects.toThrow(/document 1/);
  });
});
