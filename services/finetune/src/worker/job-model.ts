// The model a job trains: the base checkpoint's encoder with a new classification head, or (from_scratch)
// the same architecture from random weights, the control run.
import {
  addClassificationHead,
  createBertModel,
  createRng,
  disposeModel,
  removeMlmHead,
  type BertModel,
} from '@headstart/model';
import type { TrainingSettings } from '../spec/resolve-spec';
import { deriveSeed } from '../training/seeds';

export function buildJobModel(
  base: BertModel,
  numLabels: number,
  settings: TrainingSettings,
  fromScratch: boolean,
): BertModel {
  const config = { ...base.config, ...(settings.dropout === undefined ? {} : { dropout: settings.dropout }) };
  if (fromScratch) {
    disposeModel(base);
    return createBertModel(config, {
      rng: createRng(deriveSeed(settings.seed, 'scratch-init')),
      mlmHead: false,
      numLabels,
    });
  }
  removeMlmHead(base);
  base.config = config;
  return addClassificationHead(base, numLabels, createRng(deriveSeed(settings.seed, 'head')));
}
