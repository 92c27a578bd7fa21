import {
  createBertNormalizer,
  createLowercaseNormalizer,
  createSequenceNormalizer,
  createStripAccentsNormalizer,
  createUnicodeNormalizer,
  originalString,
  type NormalizedString,
  type Normalizer,
} from './index';

/** For every normalized character, the original text it came from. */
function sources(ns: NormalizedString, text: string): string[] {
  return [...ns.text].map((_, i) => {
    const start = ns.starts === null ? ns.base + i : ns.starts[i]!;
    const end = ns.ends === null ? ns.base + i + 1 : ns.ends[i]!;
    return text.slice(start, end);
  });
}

function check(n: Normalizer, text: string, expected: string): NormalizedString {
  const ns = n.normalize(originalString(text));
  expect(ns.text).toBe(expected);
  expect(n.normalizeText(text)).toBe(expected);
  return ns;
}

describe('BERT normalizer', () => {
  const bert = createBertNormalizer();

  it('lowercases, strips accents and keeps alignments', () => {
    const ns = check(bert, 'Crème BRÛLÉE', 'creme brulee');
    expect(sources(ns, 'Crème BRÛLÉE')).toEqual([...'Crème BRÛLÉE']);
  });

  it('removes control characters and turns whitespace into spaces', () => {
    const text = 'a\u0000b\tc\u200bd\u00a0e\r\nf';
    // U+200B (zero width space) is a format character: removed, not a space.
    const ns = check(bert, text, 'ab cd e  f');
    expect(sources(ns, text)).toEqual(['a', 'b', '\t', 'c', 'd', '\u00a0', 'e', '\r', '\n', 'f']);
  });

  it('puts spaces around CJK ideographs, aligned to the ideograph', () => {
    const ns = check(bert, 'ab中文', 'ab 中  文 ');
    expect(sources(ns, 'ab中文')).toEqual(['a', 'b', '中', '中', '中', '文', '文', '文']);
  });

  it('keeps accents and case when asked', () => {
    check(createBertNormalizer({ lowercase: false }), 'Crème', 'Crème');
    check(createBertNormalizer({ lowercase: true, stripAccents: false }), 'Crème', 'crème');
  });
});

describe('Unicode forms and single steps', () => {
  it('NFKC folds compatibility characters; every output character points at its source', () => {
    const text = 'ﬁ①ｆ';
    const ns = check(createUnicodeNormalizer('NFKC'), text, 'fi1f');
    expect(sources(ns, text)).toEqual(['ﬁ', 'ﬁ', '①', 'ｆ']);
  });

  it('NFC composes onto the first component, NFD decomposes onto the source', () => {
    const decomposed = 'e\u0301x';
    const nfc = check(createUnicodeNormalizer('NFC'), decomposed, 'éx');
    expect(sources(nfc, decomposed)).toEqual(['e', 'x']);
    const nfd = check(createUnicodeNormalizer('NFD'), 'éx', 'e\u0301x');
    expect(sources(nfd, 'éx')).toEqual(['é', 'é', 'x']);
  });

  it('strips accents after NFD and lowercases one character at a time (no final sigma)', () => {
    const strip = createSequenceNormalizer([createUnicodeNormalizer('NFD'), createStripAccentsNormalizer()]);
    check(strip, 'Ærø naïve Ångström', 'Ærø naive Angstrom');
    check(createLowercaseNormalizer(), 'ΟΔΥΣΣΕΥΣ', 'οδυσσευσ');
    const ns = check(createLowercaseNormalizer(), 'İx', 'i\u0307x');
    expect(sources(ns, 'İx')).toEqual(['İ', 'İ', 'x']);
  });

  it('serializes to tokenizer.json entries', () => {
    expect(
      createSequenceNormalizer([createUnicodeNormalizer('NFKC'), createBertNormalizer()]).toJSON(),
    ).toEqual({
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        {
          type: 'BertNormalizer',
          clean_text: true,
          handle_chinese_chars: true,
          strip_accents: null,
          lowercase: true,
        },
      ],
    });
  });
});
