// Subsets of the shipped JSONL files for small-scale runs (tests): the first documents of each split, and
// a class-balanced prefix of each split of the labelled task. Deterministic: file order only.
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as readline from 'node:readline';

interface Row {
  line: string;
  split: string;
  label: string;
}

async function* rows(file: string): AsyncGenerator<Row> {
  const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const parsed = JSON.parse(line) as { split?: unknown; label?: unknown };
    yield { line, split: String(parsed.split ?? ''), label: String(parsed.label ?? '') };
  }
}

async function writeLines(file: string, lines: string[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, lines.map((l) => `${l}\n`).join(''));
  await fs.rename(temp, file);
}

/** Counts per split, per label, of the rows in `lines`. */
export type SplitCounts = Record<string, Record<string, number>>;

function countOf(kept: Row[]): SplitCounts {
  const counts: SplitCounts = {};
  for (const row of kept) {
    const bySplit = (counts[row.split] ??= {});
    bySplit[row.label] = (bySplit[row.label] ?? 0) + 1;
  }
  return counts;
}

/** The first `limits[split]` documents of each split of a corpus JSONL with a `split` field. */
export async function subsetCorpus(
  source: string,
  target: string,
  limits: Readonly<Record<string, number>>,
): Promise<SplitCounts> {
  const kept: Row[] = [];
  const taken: Record<string, number> = {};
  for await (const row of rows(source)) {
    const limit = limits[row.split] ?? 0;
    if ((taken[row.split] ?? 0) >= limit) continue;
    taken[row.split] = (taken[row.split] ?? 0) + 1;
    kept.push({ ...row, label: '' });
  }
  await writeLines(
    target,
    kept.map((r) => r.line),
  );
  return countOf(kept);
}

/**
 * A class-balanced subset of a labelled JSONL (`split` and `label` fields): for each split, the first
 * rows of each label in file order, `limits[split]` in all, shared out as evenly as the labels allow.
 */
export async function subsetTask(
  source: string,
  target: string,
  limits: Readonly<Record<string, number>>,
): Promise<SplitCounts> {
  const all: Row[] = [];
  for await (const row of rows(source)) if (limits[row.split] !== undefined) all.push(row);
  const labels = [...new Set(all.map((r) => r.label))].sort();
  const quota = new Map<string, number>();
  for (const [split, limit] of Object.entries(limits)) {
    labels.forEach((label, i) => {
      quota.set(
        `${split}\u0000${label}`,
        Math.floor(limit / labels.length) + (i < limit % labels.length ? 1 : 0),
      );
    });
  }
  const kept = all.filter((row) => {
    const key = `${row.split}\u0000${row.label}`;
    const left = quota.get(key) ?? 0;
    if (left <= 0) return false;
    quota.set(key, left - 1);
    return true;
  });
  await writeLines(
    target,
    kept.map((r) => r.line),
  );
  return countOf(kept);
}
