import {
  type Normalizer,
  createBertNormalizer,
  createLowercaseNormalizer,
  createSequenceNormalizer,
  createStripAccentsNormalizer,
  createUnicodeNormalizer,
} from '../normalizers';

export type UnicodeNormalization = 'nfc' | 'nfd' | 'nfkc' | 'nfkd';

export function unicodeNormalizer(form: UnicodeNormalization | null | undefined): Normalizer | null {
  return form ? createUnicodeNormalizer(form.toUpperCase() as 'NFC' | 'NFD' | 'NFKC' | 'NFKD') : null;
}

/** BERT normalizer, optionally preceded by a Unicode normalization form. */
export function bertStyleNormalizer(options: {
  lowercase: boolean;
  stripAccents: boolean | null;
  cleanText: boolean;
  handleChineseChars: boolean;
  unicodeNormalization: UnicodeNormalization | null;
}): Normalizer {
  const bert = createBertNormalizer(options);
  const unicode = unicodeNormalizer(options.unicodeNormalization);
  return unicode === null ? bert : createSequenceNormalizer([unicode, bert]);
}

/** Unicode form, then lowercase, then accent stripping: whichever are asked for, or null. */
export function simpleNormalizer(options: {
  lowercase: boolean;
  stripAccents: boolean;
  unicodeNormalization: UnicodeNormalization | null;
}): Normalizer | null {
  const steps: Normalizer[] = [];
  const unicode = unicodeNormalizer(options.unicodeNormalization);
  if (unicode !== null) steps.push(unicode);
  if (options.stripAccents) {
    if (options.unicodeNormalization !== 'nfd' && options.unicodeNormalization !== 'nfkd') {
      steps.push(createUnicodeNormalizer('NFD'));
    }
    steps.push(createStripAccentsNormalizer());
  }
  if (options.lowercase) steps.push(createLowercaseNormalizer());
  if (steps.length === 0) return null;
  return steps.length === 1 ? steps[0]! : createSequenceNormalizer(steps);
}
