// The encoding pipeline: added tokens → normalizer → pre-tokenizer → model → truncation →
// post-processor → padding, read from (and written back to) a Hugging Face tokenizer.json.
import { readFile } from 'node:fs/promises';
import { type Segment, TokenMatcher } from './added-vocabulary';
import { type Decoder, decoderFromJSON } from './decoders';
import {
  type Encoding,
  type PaddingParams,
  type PostProcessor,
  type SequenceEncoding,
  type TruncationParams,
  type TruncationStrategy,
  createByteLevelProcessing,
  createTemplateProcessing,
  defaultPostProcessor,
  pad,
  truncate,
} from './encoding';
import { bpeFromJSON } from './models/bpe';
import type { Model } from './models/model';
import { wordPieceFromJSON } from './models/wordpiece';
import { type NormalizedString, original, originalSpan } from './normalized-string';
import { type Normalizer, normalizerFromJSON } from './normalizers';
import { type PreTokenizer, preTokenizerFromJSON } from './pre-tokenizers';
import type { AddedTokenJson, TokenizerJson } from './tokenizer-json';
import { codePointIndex } from './unicode';

export interface TokenizerOptions {
  /**
   * Unit of `Encoding.offsets`: 'codePoint' (default) counts Unicode code points, like Hugging Face
   * (Rust `char` indices); 'utf16' counts JavaScript string indices, for `text.slice(start, end)`.
   */
  offsets?: 'codePoint' | 'utf16';
}

export interface EncodeOptions {
  /** Add the post-processor's special tokens ([CLS], [SEP], ...). Default true. */
  addSpecialTokens?: boolean;
  /** Maximum length including special tokens; enables truncation. Default: the tokenizer.json setting. */
  maxLength?: number;
  /** Truncate to maxLength (true = 'longest_first'). Default true when maxLength is given. */
  truncation?: boolean | TruncationStrategy;
  /** Which end to cut. Default 'right'. */
  truncationDirection?: 'right' | 'left';
  /** 'max_length' pads to maxLength, 'longest' to the longest of the batch. Default: none. */
  padding?: false | 'longest' | 'max_length';
  /** Round padded lengths up to a multiple of this. */
  padToMultipleOf?: number;
}

export interface EncodeBatchOptions extends EncodeOptions {
  /** Second sequences, one per text (sentence-pair tasks). */
  pairs?: readonly string[];
}

const PAD_CANDIDATES = ['[PAD]', '<pad>', '<|pad|>'];

export class Tokenizer {
  private readonly addedById = new Map<number, AddedTokenJson>();
  private readonly addedByContent = new Map<string, number>();
  private readonly rawMatcher: TokenMatcher;
  private readonly normalizedMatcher: TokenMatcher;
  private readonly scratch: number[] = [];
  private readonly span = [0, 0];
  private readonly segments: Segment[] = [];

  private constructor(
    private readonly json: TokenizerJson,
    private readonly model: Model,
    private readonly normalizer: Normalizer | null,
    private readonly preTokenizer: PreTokenizer | null,
    private readonly postProcessor: PostProcessor | null,
    private readonly decoder: Decoder | null,
    private readonly options: Required<TokenizerOptions>,
  ) {
    for (const t of json.added_tokens) {
      this.addedById.set(t.id, t);
      this.addedByContent.set(t.content, t.id);
    }
    this.rawMatcher = new TokenMatcher(json.added_tokens.filter((t) => !t.normalized));
    this.normalizedMatcher = new TokenMatcher(json.added_tokens.filter((t) => t.normalized));
  }

  /** Builds a tokenizer from a tokenizer.json document (parsed or as text). */
  static fromJSON(json: TokenizerJson | string, options: TokenizerOptions = {}): Tokenizer {
    const doc: TokenizerJson = typeof json === 'string' ? (JSON.parse(json) as TokenizerJson) : json;
    const model = doc.model.type === 'WordPiece' ? wordPieceFromJSON(doc.model) : bpeFromJSON(doc.model);
    const post = doc.post_processor;
    return new Tokenizer(
      doc,
      model,
      doc.normalizer ? normalizerFromJSON(doc.normalizer) : null,
      doc.pre_tokenizer ? preTokenizerFromJSON(doc.pre_tokenizer) : null,
      post === null
        ? null
        : post.type === 'TemplateProcessing'
          ? createTemplateProcessing(post)
          : createByteLevelProcessing(post),
      doc.decoder ? decoderFromJSON(doc.decoder) : null,
      { offsets: options.offsets ?? 'codePoint' },
    );
  }

  /** Vocabulary size including added tokens. */
  get vocabSize(): number {
    let size = this.model.vocabSize;
    for (const [content, id] of this.addedByContent) if (this.model.tokenToId(content) !== id) size++;
    return size;
  }

  /** The special tokens and their ids, in id order. */
  get specialTokens(): Array<{ token: string; id: number }> {
    return this.json.added_tokens
      .filter((t) => t.special)
      .map((t) => ({ token: t.content, id: t.id }))
      .sort((a, b) => a.id - b.id);
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token) ?? this.model.tokenToId(token);
  }

  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.model.idToToken(id);
  }

  /** The tokenizer.json this tokenizer was built from. */
  toJSON(): TokenizerJson {
    return this.json;
  }

  encode(text: string, pair?: string | null, options: EncodeOptions = {}): Encoding {
    return this.encodeBatch([text], { ...options, pairs: pair == null ? undefined : [pair] })[0]!;
  }

  encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): Encoding[] {
    const pairs = options.pairs;
    if (pairs !== undefined && pairs.length !== texts.length) {
      throw new Error(`got ${texts.length} texts but ${pairs.length} pairs`);
    }
    const addSpecial = options.addSpecialTokens ?? true;
    const truncation = this.truncationParams(options);
    const post = this.postProcessor ?? defaultPostProcessor;
    const encodings = texts.map((text, i) => {
      const a = this.encodeSequence(text);
      const b = pairs === undefined ? null : this.encodeSequence(pairs[i]!);
      if (truncation !== null) truncate(a, b, addSpecial ? post.addedTokens(b !== null) : 0, truncation);
      return post.process(a, b, addSpecial);
    });
    const padding = this.paddingParams(options);
    if (padding !== null) pad(encodings, padding);
    return encodings;
  }

  /** Turns ids back into text; special tokens are left out unless `skipSpecialTokens` is false. */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const skip = options.skipSpecialTokens ?? true;
    const tokens: string[] = [];
    for (const id of ids) {
      const added = this.addedById.get(id);
      if (skip && added?.special) continue;
      const token = added?.content ?? this.model.idToToken(id);
      if (token !== undefined) tokens.push(token);
    }
    return this.decoder === null ? tokens.join(' ') : this.decoder.decode(tokens);
  }

  private encodeSequence(text: string): SequenceEncoding {
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const segments = this.segments;
    segments.length = 0;
    this.rawMatcher.split(text, 0, text.length, segments);
    for (const seg of segments) {
      if (seg.id >= 0) {
        ids.push(seg.id);
        starts.push(seg.from);
        ends.push(seg.to);
        continue;
      }
      let ns = original(
        seg.from === 0 && seg.to === text.length ? text : text.slice(seg.from, seg.to),
        seg.from,
      );
      if (this.normalizer !== null) ns = this.normalizer.normalize(ns);
      if (this.normalizedMatcher.empty) {
        this.tokenizeNormalized(ns, ids, starts, ends);
        continue;
      }
      const inner: Segment[] = [];
      this.normalizedMatcher.split(ns.text, 0, ns.text.length, inner);
      for (const part of inner) {
        if (part.id >= 0) {
          originalSpan(ns, part.from, part.to, this.span);
          ids.push(part.id);
          starts.push(this.span[0]!);
          ends.push(this.span[1]!);
        } else {
          this.tokenizeNormalized(sliceNormalized(ns, part.from, part.to), ids, starts, ends);
        }
      }
    }
    const cp = this.options.offsets === 'codePoint' ? codePointIndex(text) : null;
    const tokens = new Array<string>(ids.length);
    const offsets = new Array<[number, number]>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      tokens[i] = this.idToToken(ids[i]!)!;
      offsets[i] = cp === null ? [starts[i]!, ends[i]!] : [cp[starts[i]!]!, cp[ends[i]!]!];
    }
    return { ids, tokens, offsets };
  }

  private tokenizeNormalized(ns: NormalizedString, ids: number[], starts: number[], ends: number[]): void {
    const scratch = this.scratch;
    const span = this.span;
    const model = this.model;
    const emit = (word: string, from: number, _to: number, map: Int32Array | null): void => {
      scratch.length = 0;
      model.tokenize(word, scratch);
      for (let k = 0; k < scratch.length; k += 3) {
        const s = scratch[k + 1]!;
        const e = scratch[k + 2]!;
        let nFrom: number;
        let nTo: number;
        if (map === null) {
          nFrom = from + s;
          nTo = from + e;
        } else {
          nFrom = map[s]!;
          const last = map[e - 1]!;
          const c = ns.text.charCodeAt(last);
          nTo = last + (c >= 0xd800 && c < 0xdc00 && last + 1 < ns.text.length ? 2 : 1);
        }
        originalSpan(ns, nFrom, nTo, span);
        ids.push(scratch[k]!);
        starts.push(span[0]!);
        ends.push(span[1]!);
      }
    };
    if (this.preTokenizer === null) {
      if (ns.text.length > 0) emit(ns.text, 0, ns.text.length, null);
    } else {
      this.preTokenizer.preTokenize(ns, emit);
    }
  }

  private truncationParams(options: EncodeOptions): TruncationParams | null {
    const direction = options.truncationDirection ?? 'right';
    if (options.truncation === false) return null;
    if (options.maxLength !== undefined) {
      const strategy = typeof options.truncation === 'string' ? options.truncation : 'longest_first';
      return { maxLength: options.maxLength, strategy, direction };
    }
    const t = this.json.truncation;
    if (t === null) return null;
    const strategy = (
      { LongestFirst: 'longest_first', OnlyFirst: 'only_first', OnlySecond: 'only_second' } as const
    )[t.strategy];
    return { maxLength: t.max_length, strategy, direction: t.direction === 'Left' ? 'left' : 'right' };
  }

  private paddingParams(options: EncodeOptions): PaddingParams | null {
    const p = this.json.padding;
    if (options.padding === undefined && p === null) return null;
    if (options.padding === false) return null;
    let length: PaddingParams['length'];
    if (options.padding === 'max_length') {
      if (options.maxLength === undefined) throw new Error("padding 'max_length' needs maxLength");
      length = options.maxLength;
    } else if (options.padding === 'longest') {
      length = 'longest';
    } else {
      length = p!.strategy === 'BatchLongest' ? 'longest' : p!.strategy.Fixed;
    }
    let padToken = p?.pad_token;
    if (padToken === undefined) padToken = PAD_CANDIDATES.find((t) => this.tokenToId(t) !== undefined);
    if (padToken === undefined) throw new Error('padding needs a pad token ([PAD]) in the vocabulary');
    return {
      length,
      padToMultipleOf: options.padToMultipleOf ?? p?.pad_to_multiple_of ?? null,
      padId: p?.pad_id ?? this.tokenToId(padToken)!,
      padTypeId: p?.pad_type_id ?? 0,
      padToken,
      direction: p?.direction === 'Left' ? 'left' : 'right',
    };
  }
}

function sliceNormalized(ns: NormalizedString, from: number, to: number): NormalizedString {
  return {
    text: ns.text.slice(from, to),
    starts: ns.starts === null ? null : ns.starts.subarray(from, to),
    ends: ns.ends === null ? null : ns.ends.subarray(from, to),
    base: ns.base + from,
  };
}

/** Reads a tokenizer.json file. */
export async function loadTokenizer(path: string, options: TokenizerOptions = {}): Promise<Tokenizer> {
  return Tokenizer.fromJSON(await readFile(path, 'utf8'), options);
}
