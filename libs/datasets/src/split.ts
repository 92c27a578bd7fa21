import { compareStrings, seededShuffle } from './seeded-order';

/** Anything with a stable id and a stratum (the class label, a source, a genre) can be split. */
export interface SplitItem {
  readonly id: string;
  readonly stratum: string;
}

/**
 * Splits items into named parts with the given fractions, separately within each stratum, in a seeded
 * order. Fractions are normalised to sum to 1; each stratum's counts are rounded by largest remainder
 * (ties go to the part named first), so every stratum is split as closely to the fractions as its size
 * allows. Deterministic: the same ids, strata, fractions and seed always give the same parts, whatever the
 * input order. Each part keeps the input order of its items.
 */
export function stratifiedSplit<T extends SplitItem, S extends string>(
  items: readonly T[],
  fractions: Readonly<Record<S, number>>,
  seed: number,
): Record<S, T[]> {
  const names = Object.keys(fractions) as S[];
  const weights = names.map((name) => fractions[name]);
  if (names.length === 0) throw new RangeError('stratifiedSplit: no parts given');
  if (weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new RangeError('stratifiedSplit: fractions must be finite and non-negative');
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new RangeError('stratifiedSplit: fractions must not all be zero');
  assertUniqueIds(items);

  const partOf = new Map<string, S>();
  for (const [stratum, members] of groupBy(items, (item) => item.stratum)) {
    const ordered = seededShuffle(members, seed, (item) => `${stratum}\u0000${item.id}`);
    const counts = largestRemainder(
      ordered.length,
      weights.map((w) => w / total),
    );
    let start = 0;
    names.forEach((name, i) => {
      const end = start + (counts[i] ?? 0);
      for (const item of ordered.slice(start, end)) partOf.set(item.id, name);
      start = end;
    });
  }

  const parts = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<S, T[]>;
  for (const item of items) parts[partOf.get(item.id) as S].push(item);
  return parts;
}

/** Integer counts summing to n, proportional to the shares, rounded by largest remainder. */
export function largestRemainder(n: number, shares: readonly number[]): number[] {
  const exact = shares.map((s) => s * n);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((x, i) => ({ i, rem: x - Math.floor(x) }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
    left--;
  }
  return counts;
}

/** Map of key → members in first-seen order, iterated in sorted key order (deterministic). */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return new Map([...groups].sort(([a], [b]) => compareStrings(a, b)));
}

function assertUniqueIds(items: readonly { id: string }[]): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (seen.has(id)) throw new RangeError(`duplicate id '${id}'`);
    seen.add(id);
  }
}
