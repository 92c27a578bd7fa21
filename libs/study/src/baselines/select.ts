// Grid search on the dev split, shared by both baselines. Ties keep the earlier grid value; each grid
// lists its most regularised value first, so a tie resolves toward the smoother model.
import { accuracy, macroF1 } from '../metrics';
import type { BaselineInput, GridScore, Selection } from './types';

export interface Selected<Model> {
  readonly model: Model;
  readonly value: number;
  readonly selection: Selection;
}

/**
 * Fits `fit(value)` for each grid value and keeps the one that scores best on dev; with no dev split,
 * fits `defaultValue` alone. `predict` turns a fitted model into dev predictions.
 */
export function selectOnDev<Model>(
  input: BaselineInput,
  grid: readonly number[],
  defaultValue: number,
  fit: (value: number) => Model,
  predict: (model: Model, texts: readonly string[]) => Int32Array,
): Selected<Model> {
  const selectBy = input.selectBy ?? 'macroF1';
  const dev = input.dev;
  if (!dev || dev.texts.length === 0) {
    return {
      model: fit(defaultValue),
      value: defaultValue,
      selection: { selectedOn: 'default', selectBy, grid: [] },
    };
  }
  if (grid.length === 0) throw new RangeError('the hyper-parameter grid is empty');
  const scores: GridScore[] = [];
  let best: { model: Model; value: number; score: number } | undefined;
  for (const value of grid) {
    const model = fit(value);
    const predicted = predict(model, dev.texts);
    const score =
      selectBy === 'accuracy'
        ? accuracy(dev.labels, predicted)
        : macroF1(dev.labels, predicted, input.numClasses);
    scores.push({ value, devScore: score });
    if (!best || score > best.score) best = { model, value, score };
  }
  // grid is non-empty, so the loop set best.
  const chosen = best!;
  return {
    model: chosen.model,
    value: chosen.value,
    selection: { selectedOn: 'dev', selectBy, grid: scores },
  };
}
