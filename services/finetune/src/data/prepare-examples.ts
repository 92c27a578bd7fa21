// From parsed rows to the labelled examples a fine-tune trains and evaluates on: fields read, splits
// assigned (from the split field, or a seeded stratified 80/10/10 split when there is none), the label
// set fixed by the training split, and the label budget applied. Every refusal is INVALID_ARGUMENT and
// says what was found (sizes, field names, classes), because the fix is always in the request or data.
import { labelBudget, stratifiedSplit } from '@headstart/datasets';
import { invalidArgument } from '@headstart/errors';
import { finetune } from '@headstart/proto';
import type { DataSettings } from '../spec/resolve-spec';
import type { ParsedDataset } from './parse-dataset';

export interface LabelledExample {
  /** The row's `id` field when ids are unique, else `line:<n>`: keys the seeded orders. */
  id: string;
  text: string;
  label: string;
}

export interface PreparedExamples {
  /** Class labels, sorted: index i is class i of the model. */
  labels: string[];
  train: LabelledExample[];
  dev: LabelledExample[];
  test: LabelledExample[];
  /** Training examples before the label budget. */
  trainAvailable: number;
  splitSource: finetune.SplitSource;
  warnings: string[];
}

/** Fractions of the automatic split, made when the dataset has no split field. */
export const AUTO_SPLIT = Object.freeze({ train: 0.8, dev: 0.1, test: 0.1 });

function labelText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function fieldList(dataset: ParsedDataset): string {
  return dataset.fieldNames.length === 0 ? 'none' : dataset.fieldNames.join(', ');
}

function countBy(examples: readonly LabelledExample[]): string {
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  return [...counts].map(([label, n]) => `${label}: ${n}`).join(', ');
}

/** Reads, splits and budgets the examples; throws INVALID_ARGUMENT when they cannot train a classifier. */
export function prepareExamples(dataset: ParsedDataset, settings: DataSettings): PreparedExamples {
  const { textField, labelField, splitField } = settings;
  const warnings: string[] = [];
  if (dataset.rows.length === 0) throw invalidArgument('the dataset has no rows', { field: 'spec.dataset' });
  const known = new Set(dataset.fieldNames);
  if (!known.has(textField)) {
    throw invalidArgument(
      `unknown text field ${JSON.stringify(textField)}: the dataset's fields are ${fieldList(dataset)}`,
      { field: 'spec.data.text_field' },
    );
  }
  if (!known.has(labelField)) {
    throw invalidArgument(
      `unknown label field ${JSON.stringify(labelField)}: the dataset's fields are ${fieldList(dataset)}`,
      { field: 'spec.data.label_field' },
    );
  }
  const ids = dataset.rows.map((r) => r.fields['id']);
  const uniqueIds =
    ids.every((id) => typeof id === 'string' || typeof id === 'number') && new Set(ids).size === ids.length;

  const hasSplit = known.has(splitField);
  const bySplit = new Map<string, LabelledExample[]>();
  const all: (LabelledExample & { stratum: string })[] = [];
  let skipped = 0;
  for (const row of dataset.rows) {
    const text = row.fields[textField];
    const label = labelText(row.fields[labelField]);
    if (typeof text !== 'string' || text.trim() === '' || label === undefined) {
      skipped++;
      continue;
    }
    const example = { id: uniqueIds ? String(row.fields['id']) : `line:${row.line}`, text, label };
    if (hasSplit) {
      const split = String(row.fields[splitField] ?? '');
      const list = bySplit.get(split) ?? [];
      list.push(example);
      bySplit.set(split, list);
    } else all.push({ ...example, stratum: label });
  }
  if (skipped > 0) {
    warnings.push(`${skipped} of ${dataset.rows.length} rows skipped: no text or no label`);
  }

  let train: LabelledExample[];
  let dev: LabelledExample[];
  let test: LabelledExample[];
  if (hasSplit) {
    train = bySplit.get(settings.trainSplit) ?? [];
    dev = bySplit.get(settings.devSplit) ?? [];
    test = bySplit.get(settings.testSplit) ?? [];
    const other = [...bySplit.keys()].filter(
      (s) => s !== settings.trainSplit && s !== settings.devSplit && s !== settings.testSplit,
    );
    if (other.length > 0) {
      const n = other.reduce((sum, s) => sum + (bySplit.get(s)?.length ?? 0), 0);
      warnings.push(`${n} rows in other splits (${other.join(', ')}) not used`);
    }
    if (train.length === 0) {
      throw invalidArgument(
        `no training examples: split field ${JSON.stringify(splitField)} has no rows with ` +
          `${JSON.stringify(settings.trainSplit)} (values seen: ${[...bySplit.keys()].join(', ') || 'none'})`,
        { field: 'spec.data.train_split' },
      );
    }
  } else {
    const parts = stratifiedSplit(all, AUTO_SPLIT, settings.budgetSeed);
    const strip = (items: typeof all) => items.map(({ id, text, label }) => ({ id, text, label }));
    [train, dev, test] = [strip(parts.train), strip(parts.dev), strip(parts.test)];
    warnings.push(
      `no ${JSON.stringify(splitField)} field: made a seeded stratified split ` +
        `(${train.length} train / ${dev.length} dev / ${test.length} test)`,
    );
  }

  const labels = [...new Set(train.map((e) => e.label))].sort();
  if (labels.length < 2) {
    throw invalidArgument(
      `single-class dataset: the ${train.length} training examples all have label ` +
        `${JSON.stringify(labels[0])}; a classifier needs at least two classes`,
      { field: 'spec.data.label_field' },
    );
  }
  const labelSet = new Set(labels);
  const unseen = (list: LabelledExample[], name: string) => {
    const kept = list.filter((e) => labelSet.has(e.label));
    if (kept.length < list.length) {
      warnings.push(
        `${list.length - kept.length} ${name} examples dropped: their label is not in the training split`,
      );
    }
    return kept;
  };
  dev = unseen(dev, 'dev');
  test = unseen(test, 'test');
  if (test.length === 0) {
    throw invalidArgument(
      `no test examples (split ${JSON.stringify(settings.testSplit)} is empty): ` +
        `the job evaluates the model on it`,
      { field: 'spec.data.test_split' },
    );
  }
  if (dev.length === 0) warnings.push('no dev examples: no early stopping, the last weights are registered');

  const trainAvailable = train.length;
  if (settings.labelBudget > 0) {
    if (settings.labelBudget > train.length) {
      throw invalidArgument(
        `label budget ${settings.labelBudget} is larger than the ${train.length} training examples ` +
          `(${countBy(train)})`,
        {
          field: 'spec.data.label_budget',
          budget: String(settings.labelBudget),
          available: String(train.length),
        },
      );
    }
    train = labelBudget(train, settings.labelBudget, settings.budgetSeed);
  }
  return {
    labels,
    train,
    dev,
    test,
    trainAvailable,
    splitSource: hasSplit ? finetune.SplitSource.SPLIT_SOURCE_FIELD : finetune.SplitSource.SPLIT_SOURCE_AUTO,
    warnings,
  };
}
