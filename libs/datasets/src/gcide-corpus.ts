import { DOCUMENTS_PER_SECTION } from './corpus-documents';
import type { PretrainDocument } from './corpus-documents';
import { normalizeDefinition } from './dictionary-domains';
import { removeDomainMarks } from './domain-marks';
import type { GcideEntry } from './gcide';
import { entrySenses } from './gcide-senses';
import { NgramIndex } from './ngram-overlap';
import { groupSentences } from './sentences';
import type { SentenceGroupOptions } from './sentences';

/** n of the near-duplicate check against the dictionary task's dev and test definitions. */
export const DEFINITION_NGRAM = 8;

/**
 * The dictionary task's held-out definitions (dev and test), which no pre-training text may contain: a
 * definition that normalises to one of them is an exact copy; a text sharing a word n-gram (8 by
 * default) with one holds a near copy. Definitions are short (median 16 words), hence the smaller n
 * than the 13 used against emails.
 */
export class DefinitionFilter {
  private readonly exact = new Set<string>();
  private readonly index: NgramIndex;
  private count = 0;

  constructor(
    texts: Iterable<string>,
    readonly ngram = DEFINITION_NGRAM,
  ) {
    this.index = new NgramIndex(ngram);
    for (const text of texts) {
      this.exact.add(normalizeDefinition(text));
      this.index.add(text);
      this.count++;
    }
  }

  get size(): number {
    return this.count;
  }

  isCopy(definition: string): boolean {
    return this.exact.has(normalizeDefinition(definition));
  }

  sharesNgram(text: string): boolean {
    return this.count > 0 && this.index.sharedNgrams(text) > 0;
  }
}

export interface GcideCorpus {
  readonly documents: PretrainDocument[];
  /** Definitions written to the corpus. */
  readonly definitions: number;
  /** Definitions left out as exact or near copies of a held-out task definition. */
  readonly excluded: { exact: number; near: number };
}

/**
 * Every definition of GCIDE as a line "term: definition", without the task's subject marks (the corpus
 * must not pair a definition with its label), consecutive lines grouped into documents of a few KB;
 * ten documents form a unit of the train/validation split. Definitions the filter protects are left out
 * one by one, so the rest of their entry stays.
 */
export function gcideDocuments(
  entries: readonly GcideEntry[],
  filter: DefinitionFilter,
  options: SentenceGroupOptions = {},
): GcideCorpus {
  const lines: string[] = [];
  const excluded = { exact: 0, near: 0 };
  for (const entry of entries) {
    for (const sense of entrySenses(entry)) {
      const text = removeDomainMarks(sense.text);
      const line = `${sense.term}: ${text}`;
      if (filter.isCopy(text)) excluded.exact++;
      else if (filter.sharesNgram(line)) excluded.near++;
      else if (text) lines.push(line);
    }
  }
  const documents = groupSentences(lines, { ...options, separator: '\n' }).map((text, i) => ({
    id: `gcide/${String(i + 1).padStart(5, '0')}`,
    source: 'gcide' as const,
    unit: `gcide/section-${String(Math.floor(i / DOCUMENTS_PER_SECTION) + 1).padStart(4, '0')}`,
    stratum: 'gcide',
    text,
  }));
  return { documents, definitions: lines.length, excluded };
}
