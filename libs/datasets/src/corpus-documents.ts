import { brownToText } from './brown';
import { groupSentences, splitSentences } from './sentences';
import type { SentenceGroupOptions } from './sentences';
import type { BrownFile, MobyDickChapter, SotuSpeech } from './sources';

export type PretrainSource = 'sotu' | 'moby-dick' | 'brown' | 'gutenberg' | 'web' | 'gcide';
/** The corpus's sources in the order they are written. */
export const PRETRAIN_SOURCES: readonly PretrainSource[] = [
  'sotu',
  'moby-dick',
  'brown',
  'gutenberg',
  'web',
  'gcide',
];

/**
 * Documents of a long source that share a unit (a Gutenberg book, the dictionary): the train/validation
 * split moves sections of about 30 KB, so a validation passage's neighbours are not in training.
 */
export const DOCUMENTS_PER_SECTION = 10;

/** A document of the pre-training corpus, before its split is assigned. */
export interface PretrainDocument {
  readonly id: string;
  readonly source: PretrainSource;
  /**
   * The unit splits are drawn by (a speech, a chapter, a Brown file, a book of the Bible, a section of
   * ten documents of a Gutenberg book or of the dictionary): its documents stay together.
   */
  readonly unit: string;
  /** Splits are stratified by this (the source; the genre for Brown, the book for Gutenberg). */
  readonly stratum: string;
  readonly text: string;
}

/** SOTU speeches have no paragraph breaks: documents are groups of consecutive sentences. */
export function sotuDocuments(
  speeches: readonly SotuSpeech[],
  options: SentenceGroupOptions = {},
): PretrainDocument[] {
  const sorted = [...speeches].sort(
    (a, b) => a.year - b.year || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return sorted.flatMap((speech) => {
    const unit = `sotu/${speech.year}-${slug(speech.name)}`;
    const groups = groupSentences(splitSentences(normalizeText(speech.text)), options);
    return groups.map((text, i) => ({
      id: `${unit}/${pad(i + 1)}`,
      source: 'sotu' as const,
      unit,
      stratum: 'sotu',
      text,
    }));
  });
}

/**
 * One document per chapter (with the Etymology, Extracts and Epilogue), headed by its title as in the
 * book. The table of contents is left out: a list of titles, not prose.
 */
export function mobyDickDocuments(chapters: readonly MobyDickChapter[]): PretrainDocument[] {
  return chapters
    .filter((c) => c.chapter.toLowerCase() !== 'contents')
    .map((c) => {
      const numbered = /^\d+$/.test(c.chapter);
      const id = `moby-dick/${numbered ? `chapter-${pad(Number(c.chapter))}` : slug(c.chapter)}`;
      const body = normalizeText(c.text);
      const heading = numbered ? `CHAPTER ${c.chapter}. ${c.title}` : '';
      const text = heading && !body.startsWith(heading) ? `${heading}\n\n${body}` : body;
      return { id, source: 'moby-dick' as const, unit: id, stratum: 'moby-dick', text };
    });
}

/** One document per Brown file (about 2,000 words each), tags stripped, paragraphs kept. */
export function brownDocuments(files: readonly BrownFile[]): PretrainDocument[] {
  return [...files]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map((f) => {
      const id = `brown/${f.file}`;
      return {
        id,
        source: 'brown' as const,
        unit: id,
        stratum: `brown/${f.genre}`,
        text: brownToText(f.raw),
      };
    });
}

/** Unix newlines, no trailing spaces, at most one blank line in a row, trimmed. */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function pad(n: number): string {
  return String(n).padStart(3, '0');
}
