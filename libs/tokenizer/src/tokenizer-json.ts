// The Hugging Face tokenizer.json format (the subset this library reads and writes), and a
// serializer whose output depends on nothing but the value: fixed key order, vocabularies written in
// id order, merges in rank order.

export type NormalizerJson =
  | {
      type: 'BertNormalizer';
      clean_text: boolean;
      handle_chinese_chars: boolean;
      strip_accents: boolean | null;
      lowercase: boolean;
    }
  | { type: 'Lowercase' }
  | { type: 'StripAccents' }
  | { type: 'NFC' | 'NFD' | 'NFKC' | 'NFKD' }
  | { type: 'Sequence'; normalizers: NormalizerJson[] };

export interface ByteLevelJson {
  type: 'ByteLevel';
  add_prefix_space: boolean;
  trim_offsets: boolean;
  use_regex: boolean;
}

export type PreTokenizerJson = { type: 'BertPreTokenizer' } | { type: 'WhitespaceSplit' } | ByteLevelJson;

export type TemplatePieceJson =
  { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: 'A' | 'B'; type_id: number } };

export interface TemplateProcessingJson {
  type: 'TemplateProcessing';
  single: TemplatePieceJson[];
  pair: TemplatePieceJson[];
  special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
}

export type PostProcessorJson = TemplateProcessingJson | ByteLevelJson;

export type DecoderJson = { type: 'WordPiece'; prefix: string; cleanup: boolean } | ByteLevelJson;

export interface WordPieceModelJson {
  type: 'WordPiece';
  unk_token: string;
  continuing_subword_prefix: string;
  max_input_chars_per_word: number;
  vocab: Record<string, number>;
}

export interface BpeModelJson {
  type: 'BPE';
  dropout: null;
  unk_token: string | null;
  continuing_subword_prefix: string | null;
  end_of_word_suffix: string | null;
  fuse_unk: boolean;
  byte_fallback: boolean;
  ignore_merges: boolean;
  vocab: Record<string, number>;
  /** "left right" strings (the classic format) or [left, right] pairs (tokenizers >= 0.20). */
  merges: Array<string | [string, string]>;
}

export type ModelJson = WordPieceModelJson | BpeModelJson;

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface TruncationJson {
  direction?: 'Right' | 'Left';
  max_length: number;
  strategy: 'LongestFirst' | 'OnlyFirst' | 'OnlySecond';
  stride: number;
}

export interface PaddingJson {
  strategy: 'BatchLongest' | { Fixed: number };
  direction: 'Right' | 'Left';
  pad_to_multiple_of: number | null;
  pad_id: number;
  pad_type_id: number;
  pad_token: string;
}

/** A whole tokenizer.json document. */
export interface TokenizerJson {
  version: '1.0';
  truncation: TruncationJson | null;
  padding: PaddingJson | null;
  added_tokens: AddedTokenJson[];
  normalizer: NormalizerJson | null;
  pre_tokenizer: PreTokenizerJson | null;
  post_processor: PostProcessorJson | null;
  decoder: DecoderJson | null;
  model: ModelJson;
}

/**
 * Serializes a tokenizer.json deterministically: two-space indentation, keys in the order the value
 * was built in except `vocab` (written by ascending id, as Hugging Face does) and `special_tokens`
 * (by key), so the same tokenizer always gives the same bytes.
 */
export function serializeTokenizer(json: TokenizerJson): string {
  return `${write(json, '', undefined)}\n`;
}

function write(value: unknown, indent: string, key: string | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    // Merge pairs stay on one line: a 30k-merge file stays readable and small.
    if (key === 'merges') return `[\n${value.map((m) => inner + JSON.stringify(m)).join(',\n')}\n${indent}]`;
    return `[\n${value.map((v) => inner + write(v, inner, undefined)).join(',\n')}\n${indent}]`;
  }
  let entries = Object.entries(value as Record<string, unknown>);
  if (key === 'vocab') entries = entries.sort((a, b) => (a[1] as number) - (b[1] as number));
  if (key === 'special_tokens') entries = entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (entries.length === 0) return '{}';
  const lines = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${write(v, inner, k)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}
