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

/** `line 4`, `lines 4, 9`, or the first five and how many more. */
function lineList(lines: readonly number[]): string {
  const shown = lines.slice(0, 5).join(', ');
  const more = lines.length > 5 ? ` and ${lines.length - 5} more` : '';
  return `${lines.length === 1 ? 'line' : 'lines'} ${shown}${more}`;
}

function countBy(examples: readonly LabelledExample[]): string {
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  return [...counts].map(([label, n]) => `${label}: ${n}`).join(', ');
}

/** Reads, splits and budgets the examples; throws INVALID_ARGUMENT when they cannot train a classifier. */
export function prepareExamples(dataset: ParsedDataset, settings: DataSettings): PreparedExamples {
  const warnings: string[] = [];
  checkFields(dataset, settings);
  const hasSplit = dataset.fieldNames.includes(settings.splitField);
  const read = readExamples(dataset, settings, hasSplit);
  if (read.skipped.length === dataset.rows.length) {
    throw invalidArgument(
      `no row has both a text (${JSON.stringify(settings.textField)}) and a label ` +
        `(${JSON.stringify(settings.labelField)}): ${lineList(read.skipped)}; give the rows their labels`,
      { field: 'spec.data.label_field' },
    );
  }
  if (read.skipped.length > 0) {
    warnings.push(
      `${read.skipped.length} of ${dataset.rows.length} rows skipped: no text or no label ` +
        `(${lineList(read.skipped)})`,
    );
  }
  const splits = hasSplit
    ? splitsFromField(read.bySplit, settings, warnings)
    : autoSplit(read.unsplit, settings, warnings);
  const labels = trainingLabels(splits.train);
  const dev = withKnownLabels(splits.dev, labels, 'dev', warnings);
  const test = withKnownLabels(splits.test, labels, 'test', warnings);
  if (test.length === 0) {
    throw invalidArgument(
      `no test examples (split ${JSON.stringify(settings.testSplit)} is empty): ` +
        `the job evaluates the model on it`,
      { field: 'spec.data.test_split' },
    );
  }
  if (dev.length === 0) warnings.push('no dev examples: no early stopping, the last weights are registered');
  return {
    labels,
    train: withinBudget(splits.train, settings),
    dev,
    test,
    trainAvailable: splits.train.length,
    splitSource: hasSplit ? finetune.SplitSource.SPLIT_SOURCE_FIELD : finetune.SplitSource.SPLIT_SOURCE_AUTO,
    warnings,
  };
}

interface Splits {
  train: LabelledExample[];
  dev: LabelledExample[];
  test: LabelledExample[];
}

/** Rows to read and the text and label fields to read them from, or the refusal naming the fields there are. */
function checkFields(dataset: ParsedDataset, settings: DataSettings): void {
  const { textField, labelField } = settings;
  if (dataset.rows.length === 0) throw invalidArgument('the dataset has no rows', { field: 'spec.dataset' });
  const known = new Set(dataset.fieldNames);
  if (!known.has(textField)) {
    throw invalidArgument(
      `unknown text field ${JSON.stringify(textField)}: the dataset's fields are ${fieldList(dataset)}; ` +
        `name the text field with --text-field (spec.data.text_field), or rename the column to "text"`,
      { field: 'spec.data.text_field' },
    );
  }
  if (!known.has(labelField)) {
    throw invalidArgument(
      `unknown label field ${JSON.stringify(labelField)}: the dataset's fields are ${fieldList(dataset)}; ` +
        `name the label field with --label-field (spec.data.label_field), or rename the column to "label"`,
      { field: 'spec.data.label_field' },
    );
  }
}

/**
 * The rows with a text and a label, grouped by their split field's value (`hasSplit`) or in one list
 * stratified by label; `skipped` has the lines of the others. Ids are the rows' own when unique (they key the
 * seeded orders), else their line.
 */
function readExamples(dataset: ParsedDataset, settings: DataSettings, hasSplit: boolean) {
  const { textField, labelField, splitField } = settings;
  const ids = dataset.rows.map((r) => r.fields['id']);
  const uniqueIds =
    ids.every((id) => typeof id === 'string' || typeof id === 'number') && new Set(ids).size === ids.length;
  const bySplit = new Map<string, LabelledExample[]>();
  const unsplit: (LabelledExample & { stratum: string })[] = [];
  const skipped: number[] = [];
  for (const row of dataset.rows) {
    const text = row.fields[textField];
    const label = labelText(row.fields[labelField]);
    if (typeof text !== 'string' || text.trim() === '' || label === undefined) {
      skipped.push(row.line);
      continue;
    }
    const example = { id: uniqueIds ? String(row.fields['id']) : `line:${row.line}`, text, label };
    if (hasSplit) {
      const split = String(row.fields[splitField] ?? '');
      const list = bySplit.get(split) ?? [];
      list.push(example);
      bySplit.set(split, list);
    } else unsplit.push({ ...example, stratum: label });
  }
  return { bySplit, unsplit, skipped };
}

/** The splits the dataset's split field names; rows in other splits are left out (with a warning). */
function splitsFromField(
  bySplit: Map<string, LabelledExample[]>,
  settings: DataSettings,
  warnings: string[],
): Splits {
  const { trainSplit, devSplit, testSplit } = settings;
  const other = [...bySplit.keys()].filter((s) => s !== trainSplit && s !== devSplit && s !== testSplit);
  if (other.length > 0) {
    const n = other.reduce((sum, s) => sum + (bySplit.get(s)?.length ?? 0), 0);
    warnings.push(`${n} rows in other splits (${other.join(', ')}) not used`);
  }
  const train = bySplit.get(trainSplit) ?? [];
  if (train.length === 0) {
    throw invalidArgument(
      `no training examples: split field ${JSON.stringify(settings.splitField)} has no rows with ` +
        `${JSON.stringify(trainSplit)} (values seen: ${[...bySplit.keys()].join(', ') || 'none'})`,
      { field: 'spec.data.train_split' },
    );
  }
  return { train, dev: bySplit.get(devSplit) ?? [], test: bySplit.get(testSplit) ?? [] };
}

/** A seeded split stratified by label (AUTO_SPLIT), for a dataset without a split field. */
function autoSplit(
  examples: (LabelledExample & { stratum: string })[],
  settings: DataSettings,
  warnings: string[],
): Splits {
  const parts = stratifiedSplit(examples, AUTO_SPLIT, settings.budgetSeed);
  const strip = (items: typeof examples) => items.map(({ id, text, label }) => ({ id, text, label }));
  const splits = { train: strip(parts.train), dev: strip(parts.dev), test: strip(parts.test) };
  warnings.push(
    `no ${JSON.stringify(settings.splitField)} field: made a seeded stratified split ` +
      `(${splits.train.length} train / ${splits.dev.length} dev / ${splits.test.length} test)`,
  );
  return splits;
}

/** The class labels, fixed by the training split (sorted); at least two. */
function trainingLabels(train: readonly LabelledExample[]): string[] {
  const labels = [...new Set(train.map((e) => e.label))].sort();
  if (labels.length < 2) {
    throw invalidArgument(
      `single-class dataset: the ${train.length} training examples all have label ` +
        `${JSON.stringify(labels[0])}; a classifier needs at least two classes`,
      { field: 'spec.data.label_field' },
    );
  }
  return labels;
}

/** Drops the examples whose label the model has no class for (with a warning). */
function withKnownLabels(
  list: LabelledExample[],
  labels: readonly string[],
  name: string,
  warnings: string[],
): LabelledExample[] {
  const labelSet = new Set(labels);
  const kept = list.filter((e) => labelSet.has(e.label));
  if (kept.length < list.length) {
    warnings.push(
      `${list.length - kept.length} ${name} examples dropped: their label is not in the training split`,
    );
  }
  return kept;
}

/** The training examples within the label budget (0: all of them). */
function withinBudget(train: LabelledExample[], settings: DataSettings): LabelledExample[] {
  if (settings.labelBudget <= 0) return train;
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
  return labelBudget(train, settings.labelBudget, settings.budgetSeed);
}
