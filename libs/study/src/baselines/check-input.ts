// Input checks shared by the baselines: a wrong label here would silently train a wrong model.
import type { BaselineInput, LabelledTexts } from './types';

export function checkBaselineInput(input: BaselineInput): void {
  if (!Number.isInteger(input.numClasses) || input.numClasses < 2) {
    throw new RangeError(`numClasses must be an integer ≥ 2, got ${input.numClasses}`);
  }
  checkLabelled('training', input, input.numClasses);
  if (input.texts.length === 0) throw new RangeError('no training texts');
  if (input.dev) checkLabelled('dev', input.dev, input.numClasses);
}

function checkLabelled(name: string, data: LabelledTexts, numClasses: number): void {
  if (data.texts.length !== data.labels.length) {
    throw new RangeError(`${name}: ${data.texts.length} texts but ${data.labels.length} labels`);
  }
  for (let i = 0; i < data.labels.length; i++) {
    const label = data.labels[i];
    if (label === undefined || !Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RangeError(`${name}: label ${label} at ${i} is not a class index in [0, ${numClasses})`);
    }
  }
}
