// The model a job trains: the base checkpoint's encoder with a new classification head, or (from_scratch)
// the same architecture from random weights, the control run.
import {
  addClassificationHead,
  createBertModel,
  createRng,
  disposeModel,
  removeMlmHead,
  layerwiseLrScale,
  type AdamW,
  type BertModel,
  createAdamW,
} from '@headstart/model';
import type { TrainingSettings } from '../spec/resolve-spec';
import { deriveSeed } from '../training/seeds';

export function buildJobModel(
  base: BertModel,
  numLabels: number,
  settings: TrainingSettings,
  fromScratch: boolean,
): BertModel {
  const config = {
    ...base.config,
    pooling: settings.pooling,
    ...(settings.dropout === undefined ? {} : { dropout: settings.dropout }),
  };
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

/** AdamW over the job's model, with the layer-wise learning-rate decay of the settings. */
export function createJobOptimizer(model: BertModel, settings: TrainingSettings): AdamW {
  return createAdamW(model.params, {
    weightDecay: settings.weightDecay,
    lrScale: layerwiseLrScale(model.config, settings.layerLrDecay),
  });
}
