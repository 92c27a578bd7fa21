// The fine-tune settings a sweep compares, one factor at a time from a reference, each a named set of
// FinetuneHyperparameters (unset fields take the service's defaults). The first entry of a grid is its
// reference: the report pairs every other entry with it, seed by seed.
import { finetune } from '@headstart/proto';

export interface SweepEntry {
  name: string;
  fromScratch: boolean;
  hyperparameters: Partial<finetune.FinetuneHyperparameters>;
}

const { Pooling, EarlyStoppingMetric } = finetune;
const CLS = Pooling.POOLING_CLS;
const MEAN = Pooling.POOLING_MEAN;
const ACCURACY = EarlyStoppingMetric.EARLY_STOPPING_METRIC_ACCURACY;

/** The recipe before this sweep: [CLS] + pooler, 5 epochs, lr 5e-4, early stopping on dev loss. */
const OLD = { pooling: CLS, minSteps: 0, learningRate: 5e-4, layerLrDecay: 1, epochs: 5 };
const STEPS = { pooling: MEAN, minSteps: 500, epochs: 5, layerLrDecay: 1 };
/** The whole schedule (no early stopping), the best dev accuracy's weights kept. */
const BEST_ACC = { ...STEPS, earlyStoppingMetric: ACCURACY, earlyStoppingPatience: 0 };

export const GRIDS: Record<string, SweepEntry[]> = {
  recipe: [
    { name: 'old-defaults', fromScratch: false, hyperparameters: OLD },
    { name: 'mean', fromScratch: false, hyperparameters: { ...OLD, pooling: MEAN } },
    { name: 'cls+500steps', fromScratch: false, hyperparameters: { ...OLD, minSteps: 500 } },
    { name: 'mean+500steps lr5e-4', fromScratch: false, hyperparameters: { ...STEPS, learningRate: 5e-4 } },
    { name: 'mean+500steps lr2e-4', fromScratch: false, hyperparameters: { ...STEPS, learningRate: 2e-4 } },
    { name: 'mean+500steps lr1e-3', fromScratch: false, hyperparameters: { ...STEPS, learningRate: 1e-3 } },
    { name: 'mean+500steps lr2e-3', fromScratch: false, hyperparameters: { ...STEPS, learningRate: 2e-3 } },
    {
      name: 'mean+500steps lr1e-3 decay0.8',
      fromScratch: false,
      hyperparameters: { ...STEPS, learningRate: 1e-3, layerLrDecay: 0.8 },
    },
    {
      name: 'mean+1000steps lr1e-3',
      fromScratch: false,
      hyperparameters: { ...STEPS, learningRate: 1e-3, minSteps: 1000 },
    },
    {
      name: 'mean+500steps lr1e-3 stop-on-accuracy patience5',
      fromScratch: false,
      hyperparameters: {
        ...STEPS,
        learningRate: 1e-3,
        earlyStoppingMetric: ACCURACY,
        earlyStoppingPatience: 5,
      },
    },
    {
      name: 'mean+500steps lr1e-3 dropout0.1',
      fromScratch: false,
      hyperparameters: { ...STEPS, learningRate: 1e-3, dropout: 0.1 },
    },
    { name: 'scratch old-defaults', fromScratch: true, hyperparameters: { ...OLD, learningRate: 1e-3 } },
    {
      name: 'scratch mean+500steps lr1e-3',
      fromScratch: true,
      hyperparameters: { ...STEPS, learningRate: 1e-3 },
    },
    {
      name: 'scratch mean+500steps lr2e-3',
      fromScratch: true,
      hyperparameters: { ...STEPS, learningRate: 2e-3 },
    },
    {
      name: 'scratch mean+500steps lr5e-4',
      fromScratch: true,
      hyperparameters: { ...STEPS, learningRate: 5e-4 },
    },
  ],
  /**
   * Round 2, after round 1 showed early stopping on dev loss ending runs at 125–225 of 500 steps (the
   * loss rises from overconfidence while accuracy still climbs): the whole schedule, keeping the weights
   * of the best dev accuracy.
   */
  selection: [
    { name: 'old-defaults', fromScratch: false, hyperparameters: OLD },
    { name: 'mean 500 lr5e-4', fromScratch: false, hyperparameters: { ...BEST_ACC, learningRate: 5e-4 } },
    { name: 'mean 500 lr1e-3', fromScratch: false, hyperparameters: { ...BEST_ACC, learningRate: 1e-3 } },
    { name: 'mean 500 lr2e-4', fromScratch: false, hyperparameters: { ...BEST_ACC, learningRate: 2e-4 } },
    {
      name: 'cls 500 lr5e-4',
      fromScratch: false,
      hyperparameters: { ...BEST_ACC, learningRate: 5e-4, pooling: CLS },
    },
    {
      name: 'mean 1000 lr5e-4',
      fromScratch: false,
      hyperparameters: { ...BEST_ACC, learningRate: 5e-4, minSteps: 1000 },
    },
    {
      name: 'mean 500 lr5e-4 decay0.8',
      fromScratch: false,
      hyperparameters: { ...BEST_ACC, learningRate: 5e-4, layerLrDecay: 0.8 },
    },
    {
      name: 'mean 500 lr5e-4 dropout0.1',
      fromScratch: false,
      hyperparameters: { ...BEST_ACC, learningRate: 5e-4, dropout: 0.1 },
    },
    { name: 'scratch old-defaults', fromScratch: true, hyperparameters: { ...OLD, learningRate: 1e-3 } },
    {
      name: 'scratch mean 500 lr5e-4',
      fromScratch: true,
      hyperparameters: { ...BEST_ACC, learningRate: 5e-4 },
    },
    {
      name: 'scratch mean 500 lr1e-3',
      fromScratch: true,
      hyperparameters: { ...BEST_ACC, learningRate: 1e-3 },
    },
    {
      name: 'scratch mean 500 lr2e-4',
      fromScratch: true,
      hyperparameters: { ...BEST_ACC, learningRate: 2e-4 },
    },
  ],
  /** Round 3, on the main job's base pre-trained on the grown corpus: the candidates left by rounds 1–2. */
  newbase: [
    { name: 'old-defaults', fromScratch: false, hyperparameters: OLD },
    { name: 'mean 500 lr5e-4', fromScratch: false, hyperparameters: { ...BEST_ACC, learningRate: 5e-4 } },
    { name: 'mean 500 lr1e-3', fromScratch: false, hyperparameters: { ...BEST_ACC, learningRate: 1e-3 } },
    {
      name: 'cls 500 lr5e-4',
      fromScratch: false,
      hyperparameters: { ...BEST_ACC, learningRate: 5e-4, pooling: CLS },
    },
    {
      name: 'scratch mean 500 lr5e-4',
      fromScratch: true,
      hyperparameters: { ...BEST_ACC, learningRate: 5e-4 },
    },
    {
      name: 'scratch mean 500 lr1e-3',
      fromScratch: true,
      hyperparameters: { ...BEST_ACC, learningRate: 1e-3 },
    },
  ],
  /** The chosen defaults for each arm: what a study runs when nothing is set. */
  defaults: [
    { name: 'pretrained defaults', fromScratch: false, hyperparameters: {} },
    { name: 'scratch defaults', fromScratch: true, hyperparameters: {} },
  ],
};
