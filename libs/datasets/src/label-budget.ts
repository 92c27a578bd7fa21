import { compareStrings, seededShuffle } from './seeded-order';
import { groupBy } from './split';

/** A labelled example as label budgets see it. */
export interface LabelledItem {
  readonly id: string;
  readonly label: string;
}

/**
 * All items in a seeded, stratified order: every prefix holds the classes in about their overall
 * proportions, and the first items are one of each class (largest class first), so even a budget as
 * small as the number of classes sees every class. Within a class the order is seeded by id.
 *
 * The i-th item (0-based) of a class with n items gets position (i + 0.5) / n; sorting by position
 * interleaves the classes proportionally. Ties break by class name.
 */
export function labelOrder<T extends LabelledItem>(items: readonly T[], seed: number): T[] {
  const classes = [...groupBy(items, (item) => item.label)];
  // The first item of each class goes up front, largest class first.
  const firstRank = new Map(
    [...classes]
      .sort(([la, a], [lb, b]) => b.length - a.length || compareStrings(la, lb))
      .map(([label], rank) => [label, rank]),
  );
  const placed: { item: T; label: string; position: number; firstRank: number | undefined }[] = [];
  for (const [label, members] of classes) {
    seededShuffle(members, seed, (item) => `${label}\u0000${item.id}`).forEach((item, i) => {
      const position = (i + 0.5) / members.length;
      placed.push({ item, label, position, firstRank: i === 0 ? firstRank.get(label) : undefined });
    });
  }
  placed.sort((a, b) => {
    if (a.firstRank !== undefined || b.firstRank !== undefined) {
      return (a.firstRank ?? Infinity) - (b.firstRank ?? Infinity);
    }
    return a.position - b.position || compareStrings(a.label, b.label);
  });
  return placed.map((p) => p.item);
}

/**
 * The first `k` items of `labelOrder(items, seed)`: the examples a fine-tune with a label budget of K may
 * use. Growing K only adds examples (budgets are nested), which makes learning curves comparable.
 * Throws a RangeError when k is not a positive integer or exceeds the number of items.
 */
export function labelBudget<T extends LabelledItem>(items: readonly T[], k: number, seed: number): T[] {
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`label budget must be a positive integer, got ${k}`);
  if (k > items.length) {
    throw new RangeError(`label budget ${k} is larger than the ${items.length} labelled examples available`);
  }
  return labelOrder(items, seed).slice(0, k);
}
