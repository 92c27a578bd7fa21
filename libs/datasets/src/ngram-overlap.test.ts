import { NgramIndex, ngramKeys, overlapWords } from './ngram-overlap';

describe('n-gram overlap', () => {
  it('tokenises to lowercased words, keeping inner apostrophes', () => {
    expect(overlapWords("It's the U.S. Navy's ship, 1942!")).toEqual([
      "it's",
      'the',
      'u',
      's',
      "navy's",
      'ship',
      '1942',
    ]);
  });

  it('gives the rolling hash of each window the same key as hashing that window alone', () => {
    const text = 'one two three four five six seven eight nine ten';
    const words = overlapWords(text);
    const direct = words
      .slice(0, words.length - 3)
      .map((_w, i) => ngramKeys(words.slice(i, i + 4).join(' '), 4)[0]);
    expect(ngramKeys(text, 4)).toEqual(direct);
    expect(new Set(ngramKeys(text, 4)).size).toBe(7);
    expect(ngramKeys('too short', 4)).toEqual([]);
  });

  it('finds a verbatim passage regardless of case, punctuation and line breaks, and nothing else', () => {
    const index = new NgramIndex(5);
    index.add('Dear friend, you have WON a free cruise to the Bahamas, act now!');
    expect(index.sharedNgrams('Report: "you have won a free\ncruise" said the man')).toBe(2);
    expect(index.sharedNgrams('you have won a prize cruise to the Bahamas')).toBe(0);
  });

  it('keeps every key as the table grows past its initial capacity', () => {
    const index = new NgramIndex(2);
    const text = Array.from({ length: 100_001 }, (_, i) => `w${i}`).join(' ');
    index.add(text);
    expect(index.size).toBe(100_000);
    expect(index.sharedNgrams(text)).toBe(100_000);
    expect(index.sharedNgrams('w5 w7 w9')).toBe(0);
  });
});
