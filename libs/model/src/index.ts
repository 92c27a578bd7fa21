// @headstart/model: a BERT-style pre-LN encoder in TF.js ops, its MLM and classification heads, AdamW,
// schedules, and safetensors checkpoints with Hugging Face (Megatron-BERT) names.
import './register-gradients';
export type { BertConfig, BertConfigInput, ConfigProblem, Pooling } from './config';
export {
  DEFAULT_BERT_CONFIG,
  InvalidConfigError,
  POOLINGS,
  assertValidConfig,
  resolveConfig,
  validateConfig,
} from './config';
export type { Rng, RngState } from './rng';
export { createRng } from './rng';
export type { ParamMap, ParamSpec } from './params';
export {
  classificationHeadParamSpecs,
  countParams,
  encoderParamSpecs,
  isLinearWeight,
  layerwiseLrScale,
  mlmHeadParamSpecs,
} from './params';
export type { BertModel, EncoderInput, ForwardOptions } from './encoder';
export { encode } from './encoder';
export type { CreateBertModelOptions } from './model';
export { addClassificationHead, createBertModel, disposeModel, encoderParams, removeMlmHead } from './model';
export type { Reduction } from './loss';
export { softmaxCrossEntropy } from './loss';
export type { MaskPrediction, MaskedInput, MlmBatch, MlmLossOptions } from './mlm';
export { evaluateMlmLoss, mlmLogits, mlmLoss, predictMasked } from './mlm';
export type { ClassPrediction, ClassificationBatch, ClassificationLossOptions } from './classification';
export { classificationLogits, classificationLoss, classify, numLabelsOf } from './classification';
export type { AdamW, AdamWOptions, AdamWState } from './adamw';
export { createAdamW } from './adamw';
export type { ClippedGradients } from './clip';
export { clipByGlobalNorm, clipScale, disposeGradients, globalNorm } from './clip';
export type { AccumulatedGradients } from './gradients';
export { accumulateGradients } from './gradients';
export type { ModelTrainStepOptions, TrainStepOptions, TrainStepResult } from './train-step';
export { classificationTrainStep, mlmTrainStep, trainStep } from './train-step';
export type { LrSchedule } from './schedule';
export { getLr, getLrByFraction, validateLrSchedule } from './schedule';
export type { Safetensors, TensorRecord, TensorRecords } from './safetensors';
export { loadSafetensors, safetensorsChunks, saveSafetensors } from './safetensors';
export type { ExportOptions } from './export-options';
export type { ImportReport, ImportWeightsOptions } from './weights';
export { TOKEN_TYPE_EMBEDDINGS, exportWeights, importWeights } from './weights';
export type { HfConfigOptions } from './hf-config';
export { fromHfConfig, toHfConfig } from './hf-config';
export type { SerializeOptions, SerializedModel, SerializedModelChunks } from './model-files';
export {
  CONFIG_FILE,
  WEIGHTS_FILE,
  deserializeModel,
  loadModel,
  saveModel,
  serializeModel,
  serializeModelChunks,
} from './model-files';
export { adamWStateChunks, deserializeAdamWState, serializeAdamWState } from './optimizer-state';
