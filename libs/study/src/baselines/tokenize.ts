// The word tokenizer both baselines share. Bag-of-words models only need stable, comparable word types,
// so the rule is deliberately simple and documented: NFKC-normalise (full-width letters, ligatures and
// compatibility digits become their plain forms), lowercase (locale-independent), then take maximal runs
// of Unicode letters (\p{L}), combining marks (\p{M}, so accents written as marks stay in the word) and
// digits (\p{N}). Everything else separates words: whitespace, punctuation, apostrophes ("don't" →
// "don", "t"), hyphens, underscores, symbols and emoji.

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** The words of one text, in order, lowercased; see the rule above. */
export function tokenizeWords(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
}
