import { groupSentences, splitSentences } from './sentences';

describe('splitSentences', () => {
  it('splits at terminal punctuation followed by a capital, digit or opening quote', () => {
    expect(splitSentences('We met. It rained! Did it? "Yes," he said. 1790 was the year.')).toEqual([
      'We met.',
      'It rained!',
      'Did it?',
      '"Yes," he said.',
      '1790 was the year.',
    ]);
  });

  it('keeps abbreviations, initials and dotted acronyms inside the sentence', () => {
    expect(
      splitSentences('Mr. Speaker, the U.S. Congress met. Harry S. Truman spoke to Gen. Marshall. It ended.'),
    ).toEqual([
      'Mr. Speaker, the U.S. Congress met.',
      'Harry S. Truman spoke to Gen. Marshall.',
      'It ended.',
    ]);
  });

  it('does not split before a lowercase word, and keeps closing quotes with their sentence', () => {
    expect(splitSentences('He said "stop." Then he left. e.g. this stays. ok')).toEqual([
      'He said "stop."',
      'Then he left. e.g. this stays. ok',
    ]);
  });

  it('returns nothing for blank text', () => {
    expect(splitSentences('   ')).toEqual([]);
  });
});

describe('groupSentences', () => {
  it('packs sentences into groups of about the target size and never cuts a sentence', () => {
    const sentences = Array.from({ length: 10 }, (_, i) => `Sentence ${i} ${'x'.repeat(40)}.`);
    const groups = groupSentences(sentences, { targetChars: 150, minChars: 60 });
    expect(groups.join(' ')).toBe(sentences.join(' '));
    for (const g of groups.slice(0, -1)) expect(g.length).toBeGreaterThanOrEqual(150);
  });

  it('merges a short tail into the previous group', () => {
    const groups = groupSentences(['a'.repeat(100), 'b'.repeat(100), 'c.'], {
      targetChars: 100,
      minChars: 50,
    });
    expect(groups).toEqual(['a'.repeat(100), `${'b'.repeat(100)} c.`]);
  });
});
