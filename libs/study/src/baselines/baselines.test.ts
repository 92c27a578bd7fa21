import {
  buildVocabulary,
  countVectors,
  tokenizeWords,
  trainLogisticRegression,
  trainNaiveBayes,
} from '../index';
import { minimizeLbfgs } from './lbfgs';

/** mulberry32, so the synthetic data are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Texts of shared noise words plus a few of their class's own words: a topic task with a known answer. */
function topicData(count: number, numClasses: number, seed: number, topicShare = 0.3) {
  const next = rng(seed);
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % numClasses;
    const words = Array.from({ length: 6 + Math.floor(next() * 10) }, () =>
      next() < topicShare ? `topic${label}x${Math.floor(next() * 20)}` : `common${Math.floor(next() * 300)}`,
    );
    texts.push(words.join(' '));
    labels.push(label);
  }
  return { texts, labels };
}

describe('tokenizeWords', () => {
  it('lowercases and splits on everything but Unicode letters, marks and digits', () => {
    expect(tokenizeWords("Don't STOP—the café's 2nd Ölçek_x!")).toEqual([
      'don',
      't',
      'stop',
      'the',
      'café',
      's',
      '2nd',
      'ölçek',
      'x',
    ]);
  });
  it('NFKC-normalises full-width and combining forms', () => {
    expect(tokenizeWords('ＡＢＣ１２ cafe\u0301')).toEqual(['abc12', 'café']);
    expect(tokenizeWords('  ...  ')).toEqual([]);
  });
});

describe('countVectors', () => {
  it('counts training words per text and drops words the vocabulary lacks', () => {
    const vocabulary = buildVocabulary(['b a b', 'c']);
    expect([...vocabulary]).toEqual([
      ['b', 0],
      ['a', 1],
      ['c', 2],
    ]);
    const rows = countVectors(vocabulary, ['a b b b', 'zzz c', '']);
    expect(Array.from(rows.rowStarts)).toEqual([0, 2, 3, 3]);
    expect(Array.from(rows.columns)).toEqual([1, 0, 2]);
    expect(Array.from(rows.values)).toEqual([1, 3, 1]);
  });
});

describe('trainNaiveBayes', () => {
  it('matches a hand-computed posterior (α = 1, empirical priors)', () => {
    // θ0 = (a 3/6, b 2/6, c 1/6), θ1 = (a 1/5, b 2/5, c 2/5), P(0) = P(1) = ½.
    const model = trainNaiveBayes({ texts: ['a a b', 'b c'], labels: [0, 1], numClasses: 2 });
    expect(model.settings.alpha).toBe(1);
    expect(model.settings.selection.selectedOn).toBe('default');
    const proba = model.predictProba(['a b', 'c c d']);
    // "a b": ½·3/6·2/6 = 1/12 vs ½·1/5·2/5 = 1/25 → 25/37. "c c d" ("d" unseen): 1/72 vs 2/25 → 25/169.
    expect(proba[0]).toBeCloseTo(25 / 37, 12);
    expect(proba[1]).toBeCloseTo(12 / 37, 12);
    expect(proba[2]).toBeCloseTo(25 / 169, 12);
    expect(Array.from(model.predict(['a b', 'c c d']))).toEqual([0, 1]);
  });

  it('separates classes that share no words perfectly, and never predicts a class absent from training', () => {
    const texts = ['red apple', 'red cherry', 'blue sky', 'blue sea', 'green grass', 'green leaf'];
    const model = trainNaiveBayes({ texts, labels: [0, 0, 1, 1, 2, 2], numClasses: 4 });
    expect(Array.from(model.predict(['red', 'sea blue', 'leaf grass', 'unknown']))).toEqual([0, 1, 2, 0]);
    expect(model.predictProba(['red'])[3]).toBe(0);
  });

  it('chooses α on dev from the grid and records every score', () => {
    const train = topicData(200, 4, 1);
    const dev = topicData(100, 4, 2);
    const model = trainNaiveBayes({ ...train, numClasses: 4, dev, alphaGrid: [1, 0.1] });
    expect(model.settings.selection.selectedOn).toBe('dev');
    expect(model.settings.selection.grid.map((g) => g.value)).toEqual([1, 0.1]);
    const best = Math.max(...model.settings.selection.grid.map((g) => g.devScore));
    expect(model.settings.selection.grid.find((g) => g.value === model.settings.alpha)?.devScore).toBe(best);
  });

  it('rejects labels outside the classes and mismatched lengths', () => {
    expect(() => trainNaiveBayes({ texts: ['a'], labels: [2], numClasses: 2 })).toThrow(RangeError);
    expect(() => trainNaiveBayes({ texts: ['a', 'b'], labels: [0], numClasses: 2 })).toThrow(RangeError);
  });
});

describe('trainLogisticRegression', () => {
  it('reaches 100% on words that perfectly separate the classes', () => {
    const texts = ['red apple', 'red cherry', 'blue sky', 'blue sea', 'green grass', 'green leaf'];
    const model = trainLogisticRegression({ texts, labels: [0, 0, 1, 1, 2, 2], numClasses: 3, cGrid: [10] });
    expect(Array.from(model.predict(texts))).toEqual([0, 0, 1, 1, 2, 2]);
    const proba = model.predictProba(['red']);
    expect(proba[0]! + proba[1]! + proba[2]!).toBeCloseTo(1, 12);
    expect(model.settings.converged).toBe(true);
  });

  it('is deterministic and chooses C on dev', () => {
    const train = topicData(300, 5, 3);
    const dev = topicData(100, 5, 4);
    const test = topicData(200, 5, 5);
    const a = trainLogisticRegression({ ...train, numClasses: 5, dev });
    const b = trainLogisticRegression({ ...train, numClasses: 5, dev });
    expect(a.settings.selection.grid).toHaveLength(4);
    expect(a.settings).toEqual(b.settings);
    expect(Array.from(a.predictProba(test.texts))).toEqual(Array.from(b.predictProba(test.texts)));
    const correct = a.predict(test.texts).filter((p, i) => p === test.labels[i]).length;
    expect(correct / test.texts.length).toBeGreaterThan(0.9);
  });
});

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const rosenbrock = (x: Float64Array, g: Float64Array): number => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    };
    const result = minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), {
      gradientTolerance: 1e-8,
      relativeTolerance: 0,
    });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });
});
