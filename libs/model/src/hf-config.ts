// config.json in Hugging Face's format. Our encoder is pre-LayerNorm, which HF BERT (post-LN) is not, but
// HF's Megatron-BERT is exactly this architecture: no embedding LayerNorm, an `ln` before attention and
// before the FFN in every layer, a final `bert.encoder.ln`, exact-erf GELU, a tied MLM decoder. So the
// config says `model_type: "megatron-bert"` and the weights use Megatron-BERT's names (see weights.ts).
import type { BertConfig } from './config';
import { assertValidConfig } from './config';

export interface HfConfigOptions {
  /** HF model class to name in `architectures`. @default 'MegatronBertForMaskedLM' */
  architecture?: string;
  /** Class names for a classification head (`id2label`), when the model has one. */
  labels?: string[];
}

/** The config.json an HF `from_pretrained` understands, plus our own config under `headstart`. */
export function toHfConfig(config: BertConfig, options: HfConfigOptions = {}): Record<string, unknown> {
  const hf: Record<string, unknown> = {
    architectures: [options.architecture ?? 'MegatronBertForMaskedLM'],
    model_type: 'megatron-bert',
    vocab_size: config.vocabSize,
    hidden_size: config.dModel,
    num_hidden_layers: config.layers,
    num_attention_heads: config.heads,
    intermediate_size: config.ff,
    hidden_act: 'gelu',
    hidden_dropout_prob: config.dropout,
    attention_probs_dropout_prob: config.dropout,
    max_position_embeddings: config.maxLen,
    // We have no token types; the export writes one all-zero row so HF adds nothing.
    type_vocab_size: 1,
    initializer_range: config.initStd,
    layer_norm_eps: config.layerNormEps,
    position_embedding_type: 'absolute',
    tie_word_embeddings: true,
    torch_dtype: 'float32',
    headstart: { ...config },
  };
  if (options.labels) {
    hf.num_labels = options.labels.length;
    hf.id2label = Object.fromEntries(options.labels.map((label, i) => [String(i), label]));
    hf.label2id = Object.fromEntries(options.labels.map((label, i) => [label, i]));
  }
  return hf;
}

/** Reads a config.json written by `toHfConfig` (or an HF Megatron-BERT one); validates the result. */
export function fromHfConfig(json: Record<string, unknown>): BertConfig {
  if (json.model_type !== 'megatron-bert') {
    throw new Error(
      `config.json model_type is ${JSON.stringify(json.model_type)}; only pre-LayerNorm 'megatron-bert' ` +
        'checkpoints match this encoder',
    );
  }
  if (json.hidden_act !== undefined && json.hidden_act !== 'gelu') {
    throw new Error(
      `config.json hidden_act ${JSON.stringify(json.hidden_act)} is not supported (only 'gelu')`,
    );
  }
  const ours = json.headstart as Partial<BertConfig> | undefined;
  const config = {
    vocabSize: json.vocab_size,
    dModel: json.hidden_size,
    heads: json.num_attention_heads,
    layers: json.num_hidden_layers,
    ff: json.intermediate_size,
    maxLen: json.max_position_embeddings,
    dropout: ours?.dropout ?? json.hidden_dropout_prob ?? 0.1,
    layerNormEps: json.layer_norm_eps ?? 1e-12,
    initStd: json.initializer_range ?? 0.02,
    pooling: ours?.pooling ?? 'cls',
  } as BertConfig;
  return assertValidConfig(config);
}
