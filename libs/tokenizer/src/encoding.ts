// Encodings and the steps after the model: truncation, post-processing (special tokens), padding.
// They follow Hugging Face's order and rules so the results match token for token.
import { BYTE_LEVEL_SPACE } from './pre-tokenizers';
import type { PostProcessorJson, TemplatePieceJson } from './tokenizer-json';

/** The tokens of one input, ready for a model. All arrays have the same length. */
export interface Encoding {
  ids: number[];
  /** Segment of each token: 0 for the first sequence, 1 for the pair (per the template). */
  typeIds: number[];
  tokens: string[];
  /** [start, end) of each token in its input text; [0, 0] for added special tokens and padding. */
  offsets: Array<[number, number]>;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[];
  /** 1 for tokens added by post-processing (e.g. [CLS], [SEP]) and padding, else 0. */
  specialTokensMask: number[];
}

/** One sequence's tokens before post-processing. */
export interface SequenceEncoding {
  ids: number[];
  tokens: string[];
  offsets: Array<[number, number]>;
}

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

export interface TruncationParams {
  maxLength: number;
  strategy: TruncationStrategy;
  direction: 'right' | 'left';
}

function cut(seq: SequenceEncoding, length: number, direction: 'right' | 'left'): void {
  if (seq.ids.length <= length) return;
  const from = direction === 'right' ? 0 : seq.ids.length - length;
  seq.ids = seq.ids.slice(from, from + length);
  seq.tokens = seq.tokens.slice(from, from + length);
  seq.offsets = seq.offsets.slice(from, from + length);
}

/** Truncates in place so that the sequences plus `added` special tokens fit in maxLength. */
export function truncate(
  a: SequenceEncoding,
  b: SequenceEncoding | null,
  added: number,
  params: TruncationParams,
): void {
  const max = params.maxLength - added;
  if (max < 0) throw new Error(`maxLength ${params.maxLength} leaves no room for ${added} special tokens`);
  const total = a.ids.length + (b?.ids.length ?? 0);
  if (total <= max) return;
  if (params.strategy === 'longest_first') {
    if (b === null) return cut(a, max, params.direction);
    // n1 is the shorter: it keeps what it has if the longer can take the rest, else both get half.
    // Known divergence: when even the shorter one exceeds the whole max_length, the tokenizers binding
    // (0.23) sometimes gives the larger half to the other sequence than this (its documented) rule does.
    let n1 = a.ids.length;
    let n2 = b.ids.length;
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > max ? n1 : Math.max(n1, max - n1);
    if (n1 + n2 > max) {
      n1 = Math.floor(max / 2);
      n2 = n1 + (max % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    cut(a, n1, params.direction);
    cut(b, n2, params.direction);
    return;
  }
  const target = params.strategy === 'only_first' ? a : b;
  if (target === null) throw new Error('truncation only_second needs a pair');
  const excess = total - max;
  if (target.ids.length <= excess) {
    throw new Error(
      `the ${params.strategy === 'only_first' ? 'first' : 'second'} sequence is too short to truncate`,
    );
  }
  cut(target, target.ids.length - excess, params.direction);
}

export interface PostProcessor {
  /** Special tokens it adds to a single sequence or a pair. */
  addedTokens(isPair: boolean): number;
  process(a: SequenceEncoding, b: SequenceEncoding | null, addSpecialTokens: boolean): Encoding;
  toJSON(): PostProcessorJson;
}

function concat(a: SequenceEncoding, b: SequenceEncoding | null): Encoding {
  const out: Encoding = {
    ids: [],
    typeIds: [],
    tokens: [],
    offsets: [],
    attentionMask: [],
    specialTokensMask: [],
  };
  const append = (seq: SequenceEncoding, typeId: number): void => {
    for (let i = 0; i < seq.ids.length; i++) {
      out.ids.push(seq.ids[i]!);
      out.typeIds.push(typeId);
      out.tokens.push(seq.tokens[i]!);
      out.offsets.push(seq.offsets[i]!);
      out.attentionMask.push(1);
      out.specialTokensMask.push(0);
    }
  };
  append(a, 0);
  if (b !== null) append(b, 1);
  return out;
}

/** No post-processor: sequences are concatenated, the pair with type id 1. */
export const defaultPostProcessor = { addedTokens: () => 0, process: concat };

/** `[CLS] $A [SEP]` style templates (Hugging Face `TemplateProcessing`). */
export function createTemplateProcessing(
  json: PostProcessorJson & { type: 'TemplateProcessing' },
): PostProcessor {
  const count = (template: TemplatePieceJson[]): number =>
    template.reduce(
      (n, p) => n + ('SpecialToken' in p ? (json.special_tokens[p.SpecialToken.id]?.ids.length ?? 0) : 0),
      0,
    );
  const single = count(json.single);
  const pair = count(json.pair);
  return {
    addedTokens: (isPair) => (isPair ? pair : single),
    process(a, b, addSpecialTokens) {
      if (!addSpecialTokens) return concat(a, b);
      const out = concat({ ids: [], tokens: [], offsets: [] }, null);
      for (const piece of b === null ? json.single : json.pair) {
        if ('SpecialToken' in piece) {
          const special = json.special_tokens[piece.SpecialToken.id];
          if (special === undefined)
            throw new Error(`template uses unknown special token ${piece.SpecialToken.id}`);
          special.ids.forEach((id, k) => {
            out.ids.push(id);
            out.typeIds.push(piece.SpecialToken.type_id);
            out.tokens.push(special.tokens[k]!);
            out.offsets.push([0, 0]);
            out.attentionMask.push(1);
            out.specialTokensMask.push(1);
          });
        } else {
          const seq = piece.Sequence.id === 'A' ? a : b;
          if (seq === null) continue;
          for (let i = 0; i < seq.ids.length; i++) {
            out.ids.push(seq.ids[i]!);
            out.typeIds.push(piece.Sequence.type_id);
            out.tokens.push(seq.tokens[i]!);
            out.offsets.push(seq.offsets[i]!);
            out.attentionMask.push(1);
            out.specialTokensMask.push(0);
          }
        }
      }
      return out;
    },
    toJSON: () => json,
  };
}

/** Byte-level post-processing: trims spaces out of offsets (Hugging Face `ByteLevel`). */
export function createByteLevelProcessing(json: PostProcessorJson & { type: 'ByteLevel' }): PostProcessor {
  const trim = (seq: SequenceEncoding): void => {
    seq.offsets = seq.offsets.map(([start, end], i): [number, number] => {
      const token = seq.tokens[i]!;
      let leading = 0;
      while (leading < token.length && isSpace(token[leading]!)) leading++;
      let trailing = 0;
      while (trailing < token.length && isSpace(token[token.length - 1 - trailing]!)) trailing++;
      let s = start;
      let e = end;
      if (leading > 0) {
        const isFirst = i === 0 || start === 0;
        if (!(isFirst && json.add_prefix_space && leading === 1)) s = Math.min(start + leading, end);
      }
      if (trailing > 0 && e >= trailing) e = Math.max(e - trailing, s);
      return [s, e];
    });
  };
  return {
    addedTokens: () => 0,
    process(a, b) {
      if (json.trim_offsets) {
        trim(a);
        if (b !== null) trim(b);
      }
      return concat(a, b);
    },
    toJSON: () => json,
  };
}

function isSpace(c: string): boolean {
  return c === BYTE_LEVEL_SPACE || /\s/u.test(c);
}

export interface PaddingParams {
  /** Pad to the longest in the batch, or to a fixed length. */
  length: 'longest' | number;
  padToMultipleOf: number | null;
  padId: number;
  padTypeId: number;
  padToken: string;
  direction: 'right' | 'left';
}

/** Pads encodings in place (Hugging Face pads with special mask 1 and attention 0). */
export function pad(encodings: Encoding[], params: PaddingParams): void {
  let target =
    params.length === 'longest' ? Math.max(0, ...encodings.map((e) => e.ids.length)) : params.length;
  const multiple = params.padToMultipleOf;
  if (multiple !== null && multiple > 0 && target % multiple !== 0) target += multiple - (target % multiple);
  for (const e of encodings) {
    const missing = target - e.ids.length;
    if (missing <= 0) continue;
    const fill = <T>(arr: T[], v: T): void => {
      const padding = new Array<T>(missing).fill(v);
      if (params.direction === 'right') arr.push(...padding);
      else arr.unshift(...padding);
    };
    fill(e.ids, params.padId);
    fill(e.typeIds, params.padTypeId);
    fill(e.tokens, params.padToken);
    fill(e.attentionMask, 0);
    fill(e.specialTokensMask, 1);
    const offsets = Array.from({ length: missing }, (): [number, number] => [0, 0]);
    if (params.direction === 'right') e.offsets.push(...offsets);
    else e.offsets.unshift(...offsets);
  }
}
