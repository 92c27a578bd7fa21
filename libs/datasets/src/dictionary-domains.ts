import { domainMarks, DICTIONARY_DOMAIN_LABELS, removeDomainMarks } from './domain-marks';
import type { DictionaryDomain } from './domain-marks';
import type { GcideEntry } from './gcide';
import { entrySenses } from './gcide-senses';
import type { GcideSense } from './gcide-senses';
import { createJsonlWriter } from './jsonl-writer';
import { silentLogger } from './progress';
import type { DatasetsLogger, ProgressListener } from './progress';
import { seededShuffle } from './seeded-order';
import { groupBy, stratifiedSplit } from './split';

export const DICTIONARY_DOMAINS_FILE = 'dictionary-domains.jsonl';
export type DictionaryDomainsSplit = 'train' | 'dev' | 'test';
/** Examples per class at most, drawn by seed: keeps the classes balanced (zoology alone has ~9,500). */
export const DEFAULT_CLASS_CAP = 700;
/** Split sizes at 10 × 700 examples; a smaller build is split in the same proportions. */
export const DICTIONARY_SPLIT_SIZES: Readonly<Record<DictionaryDomainsSplit, number>> = {
  train: 5000,
  dev: 500,
  test: 1500,
};
/** Definitions shorter than this are mostly cross-references ("See Quinone.") or a bare synonym. */
export const MIN_DEFINITION_WORDS = 3;

/** One line of dictionary-domains.jsonl. */
export interface DictionaryDomainsRecord {
  readonly id: string;
  readonly text: string;
  readonly label: DictionaryDomain;
  readonly split: DictionaryDomainsSplit;
}

/** A marked definition that qualifies for the task, before deduplication and the cap. */
export interface DomainCandidate {
  readonly id: string;
  readonly term: string;
  readonly text: string;
  readonly label: DictionaryDomain;
}

export interface DictionaryDomainsStats {
  readonly examples: number;
  readonly senses: number;
  readonly labels: readonly DictionaryDomain[];
  /** Qualifying definitions per class before the cap (after deduplication). */
  readonly available: Record<string, number>;
  readonly classCap: number;
  readonly minWords: number;
  readonly dropped: {
    twoDomains: number;
    compoundMark: number;
    short: number;
    exactDuplicates: number;
    nearDuplicates: number;
    conflictingLabels: number;
  };
  readonly splits: Record<DictionaryDomainsSplit, Record<string, number>>;
  readonly medianWords: number;
}

export interface BuildDictionaryDomainsOptions {
  outDir: string;
  seed: number;
  /** GCIDE's entries (readGcide()); tests pass a few. */
  entries: readonly GcideEntry[];
  classCap?: number;
  logger?: DatasetsLogger;
  onProgress?: ProgressListener;
}

export interface DictionaryDomainsResult {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly stats: DictionaryDomainsStats;
  readonly records: readonly DictionaryDomainsRecord[];
}

interface Selection {
  candidates: DomainCandidate[];
  senses: number;
  twoDomains: number;
  compoundMark: number;
  short: number;
}

/**
 * Definitions carrying exactly one of the task's subject marks, in dictionary order, with the mark
 * removed from the text. A sense marked with two of the classes, or with a compound mark such as
 * "(Bot. & Zool.)", is ambiguous and left out; so is a text under MIN_DEFINITION_WORDS words.
 */
export function domainCandidates(entries: readonly GcideEntry[]): Selection {
  const selection: Selection = { candidates: [], senses: 0, twoDomains: 0, compoundMark: 0, short: 0 };
  const ids = new SenseIds();
  for (const entry of entries) {
    for (const sense of entrySenses(entry)) {
      selection.senses++;
      const id = ids.next(sense);
      const { domains, mixed } = domainMarks(sense.text);
      if (mixed) selection.compoundMark++;
      else if (domains.size > 1) selection.twoDomains++;
      if (mixed || domains.size !== 1) continue;
      const text = removeDomainMarks(sense.text);
      if (wordCount(text) < MIN_DEFINITION_WORDS) {
        selection.short++;
        continue;
      }
      selection.candidates.push({ id, term: sense.term, text, label: [...domains][0] as DictionaryDomain });
    }
  }
  return selection;
}

/** Stable sense ids: the term's slug and its running number, e.g. "gcide/abdomen/2". */
export class SenseIds {
  private readonly seen = new Map<string, number>();

  next(sense: GcideSense): string {
    const slug = slugify(sense.term) || 'x';
    const n = (this.seen.get(slug) ?? 0) + 1;
    this.seen.set(slug, n);
    return `gcide/${slug}/${n}`;
  }
}

/** Lowercased words only: "A fish; the BLAY." and "a fish, the blay" are the same definition. */
export function normalizeDefinition(text: string): string {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
}

/**
 * Keeps the first copy of each definition (exact text, then normalised text). A definition found under
 * two different classes cannot be labelled, so every copy of it goes.
 */
export function deduplicate(candidates: readonly DomainCandidate[]): {
  kept: DomainCandidate[];
  exactDuplicates: number;
  nearDuplicates: number;
  conflictingLabels: number;
} {
  const labelsOf = new Map<string, Set<string>>();
  for (const c of candidates) {
    const key = normalizeDefinition(c.text);
    labelsOf.set(key, (labelsOf.get(key) ?? new Set()).add(c.label));
  }
  const exact = new Set<string>();
  const near = new Set<string>();
  const kept: DomainCandidate[] = [];
  let exactDuplicates = 0;
  let nearDuplicates = 0;
  let conflictingLabels = 0;
  for (const c of candidates) {
    const key = normalizeDefinition(c.text);
    if ((labelsOf.get(key)?.size ?? 0) > 1) conflictingLabels++;
    else if (exact.has(c.text)) exactDuplicates++;
    else if (near.has(key)) nearDuplicates++;
    else kept.push(c);
    exact.add(c.text);
    near.add(key);
  }
  return { kept, exactDuplicates, nearDuplicates, conflictingLabels };
}

/** At most `cap` per class, chosen in a seeded order of ids; the result keeps dictionary order. */
export function capPerClass(
  candidates: readonly DomainCandidate[],
  cap: number,
  seed: number,
): DomainCandidate[] {
  const chosen = new Set<string>();
  for (const [label, members] of groupBy(candidates, (c) => c.label)) {
    const order = seededShuffle(members, seed, (c) => `${label}\u0000${c.id}`);
    for (const c of order.slice(0, cap)) chosen.add(c.id);
  }
  return candidates.filter((c) => chosen.has(c.id));
}

/** Builds dictionary-domains.jsonl from GCIDE's entries: select, deduplicate, cap, split, write. */
export async function buildDictionaryDomainsTask(
  options: BuildDictionaryDomainsOptions,
): Promise<DictionaryDomainsResult> {
  const logger = options.logger ?? silentLogger;
  const classCap = options.classCap ?? DEFAULT_CLASS_CAP;
  const progress = options.onProgress ?? ((): void => undefined);
  progress({ target: 'dictionary-domains', phase: 'extract', message: 'marked GCIDE definitions' });
  const selection = domainCandidates(options.entries);
  const unique = deduplicate(selection.candidates);
  const capped = capPerClass(unique.kept, classCap, options.seed);
  const parts = stratifiedSplit(
    capped.map((c) => ({ ...c, stratum: c.label })),
    DICTIONARY_SPLIT_SIZES,
    options.seed,
  );
  const splitOf = new Map<string, DictionaryDomainsSplit>();
  for (const name of ['train', 'dev', 'test'] as const) for (const c of parts[name]) splitOf.set(c.id, name);
  const records: DictionaryDomainsRecord[] = capped.map((c) => ({
    id: c.id,
    text: c.text,
    label: c.label,
    split: splitOf.get(c.id) ?? 'train',
  }));

  progress({ target: 'dictionary-domains', phase: 'write', message: DICTIONARY_DOMAINS_FILE });
  const writer = await createJsonlWriter(options.outDir, DICTIONARY_DOMAINS_FILE);
  try {
    for (const record of records) await writer.write(record);
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const written = await writer.close();
  const stats = summarize(records, selection, unique, classCap);
  logger.info(
    { file: written.file, examples: records.length, splits: stats.splits },
    'dictionary task written',
  );
  progress({ target: 'dictionary-domains', phase: 'done', message: DICTIONARY_DOMAINS_FILE });
  return { ...written, stats, records };
}

function summarize(
  records: readonly DictionaryDomainsRecord[],
  selection: Selection,
  unique: ReturnType<typeof deduplicate>,
  classCap: number,
): DictionaryDomainsStats {
  const byLabel = (): Record<string, number> =>
    Object.fromEntries(DICTIONARY_DOMAIN_LABELS.map((l) => [l, 0]));
  const available = byLabel();
  for (const c of unique.kept) available[c.label] = (available[c.label] ?? 0) + 1;
  const splits = { train: byLabel(), dev: byLabel(), test: byLabel() };
  for (const r of records) splits[r.split][r.label] = (splits[r.split][r.label] ?? 0) + 1;
  const words = records.map((r) => wordCount(r.text)).sort((a, b) => a - b);
  return {
    examples: records.length,
    senses: selection.senses,
    labels: DICTIONARY_DOMAIN_LABELS,
    available,
    classCap,
    minWords: MIN_DEFINITION_WORDS,
    dropped: {
      twoDomains: selection.twoDomains,
      compoundMark: selection.compoundMark,
      short: selection.short,
      exactDuplicates: unique.exactDuplicates,
      nearDuplicates: unique.nearDuplicates,
      conflictingLabels: unique.conflictingLabels,
    },
    splits,
    medianWords: words[Math.floor(words.length / 2)] ?? 0,
  };
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
