// @headstart/finetune/internal: the parts a fine-tune job is made of (spec resolution, dataset parsing
// and splits, encoding, the model with its new head, the training loop, evaluation), for this repo's
// benchmarks, which repeat trials in-process without the services. Not a stable surface: it follows the
// worker's needs. Services and libraries use the package's main entry.
export { dataSettings, resolveSpec, trainingSettings } from './spec/resolve-spec';
export { parseDataset } from './data/parse-dataset';
export type { ParsedDataset } from './data/parse-dataset';
export { prepareExamples } from './data/prepare-examples';
export { encodeExamples, padIdOf } from './training/encode';
export { evaluate } from './training/evaluate';
export { buildJobModel, createJobOptimizer } from './worker/job-model';
export { trainClassifier } from './training/train-classifier';
