// Classify and FillMask: resolve the reference at every call (an alias that moved takes effect at once),
// then compute with the cached model of that exact version.
import { failedPrecondition, invalidArgument } from '@headstart/errors';
import { classify, predictMasked } from '@headstart/model';
import type { common, finetune, registry } from '@headstart/proto';
import { formatModelKind, formatVersionRef, type RegistryClient } from '@headstart/registry-client';
import { resolvedVersion } from '../jobs/build-job';
import { ModelCache, type ModelCacheOptions } from '../models/model-cache';
import { encodeTexts, makeBatch, padIdOf } from '../training/encode';
import { BASE, FINETUNED, loadClassifier, loadMaskedLm, type LoadedModel } from './loaded-models';

/** Texts one Classify call may carry. */
export const MAX_TEXTS = 4096;
/** Rows computed at once (sorted by length so padding stays small). */
export const CLASSIFY_BATCH = 64;
export const DEFAULT_TOP_K = 5;
export const MAX_TOP_K = 100;

export class Predictor {
  readonly cache: ModelCache<LoadedModel>;

  constructor(
    private readonly client: RegistryClient,
    cacheOptions: ModelCacheOptions = {},
  ) {
    this.cache = new ModelCache(cacheOptions);
  }

  private async resolve(
    ref: common.VersionRef | undefined,
    signal?: AbortSignal,
  ): Promise<registry.ModelVersion> {
    if (!ref?.name) throw invalidArgument('model is required', { field: 'model' });
    return this.client.getVersion(ref, signal ? { signal } : {});
  }

  async classify(
    request: finetune.ClassifyRequest,
    signal?: AbortSignal,
  ): Promise<finetune.ClassifyResponse> {
    if (request.texts.length === 0)
      throw invalidArgument('texts is empty: give at least one text', { field: 'texts' });
    if (request.texts.length > MAX_TEXTS) {
      throw invalidArgument(`${request.texts.length} texts in one call; at most ${MAX_TEXTS}`, {
        field: 'texts',
      });
    }
    const version = await this.resolve(request.model, signal);
    if (version.kind !== FINETUNED) {
      const kind = formatModelKind(version.kind).toUpperCase();
      throw failedPrecondition(
        `${formatVersionRef(request.model!)} is a ${kind}, not a FINETUNED_MODEL: Classify needs a fine-tuned ` +
          `classifier${version.kind === BASE ? ' (a base model answers FillMask)' : ''}`,
        { field: 'model' },
      );
    }
    return this.cache.use(
      `classifier:${version.id}`,
      () => loadClassifier(this.client, version),
      async (loaded) => {
        const encoded = encodeTexts(loaded.tokenizer, request.texts, loaded.maxLength);
        const padId = padIdOf(loaded.tokenizer);
        const order = encoded.ids
          .map((_, i) => i)
          .sort((a, b) => (encoded.ids[a]?.length ?? 0) - (encoded.ids[b]?.length ?? 0));
        const predictions: finetune.Prediction[] = new Array(request.texts.length);
        for (let start = 0; start < order.length; start += CLASSIFY_BATCH) {
          signal?.throwIfAborted();
          const rows = order.slice(start, start + CLASSIFY_BATCH);
          const results = await classify(loaded.model, makeBatch(encoded.ids, rows, padId));
          results.forEach((result, b) => {
            const row = rows[b] as number;
            predictions[row] = {
              label: loaded.labels[result.label] ?? String(result.label),
              labelIndex: result.label,
              probabilities: Object.fromEntries(
                loaded.labels.map((label, c) => [label, result.probabilities[c] ?? 0]),
              ),
              truncated: encoded.truncated[row] ?? false,
              tokens: encoded.ids[row]?.length ?? 0,
            };
          });
        }
        return {
          predictions,
          modelVersion: resolvedVersion(version),
          labels: loaded.labels,
          maxLength: loaded.maxLength,
        };
      },
    );
  }

  async fillMask(
    request: finetune.FillMaskRequest,
    signal?: AbortSignal,
  ): Promise<finetune.FillMaskResponse> {
    if (request.text.trim() === '') throw invalidArgument('text is empty', { field: 'text' });
    const topK = request.topK || DEFAULT_TOP_K;
    if (topK > MAX_TOP_K) throw invalidArgument(`top_k ${topK} is above ${MAX_TOP_K}`, { field: 'top_k' });
    const version = await this.resolve(request.model, signal);
    if (version.kind !== BASE) {
      const kind = formatModelKind(version.kind).toUpperCase();
      throw failedPrecondition(
        `${formatVersionRef(request.model!)} is a ${kind}: FillMask needs a BASE_MODEL (its masked-LM head)`,
        { field: 'model' },
      );
    }
    return this.cache.use(
      `masked-lm:${version.id}`,
      () => loadMaskedLm(this.client, version),
      async (loaded) => {
        const { tokenizer, model } = loaded;
        const maskToken = ['[MASK]', '<mask>'].find((t) => tokenizer.tokenToId(t) !== undefined);
        const maskId = maskToken === undefined ? undefined : tokenizer.tokenToId(maskToken);
        if (maskToken === undefined || maskId === undefined) {
          throw failedPrecondition("the model's tokenizer has no mask token ([MASK] or <mask>)");
        }
        if (!request.text.includes(maskToken)) {
          throw invalidArgument(`the text has no ${maskToken} token to fill`, { field: 'text' });
        }
        const encoded = encodeTexts(tokenizer, [request.text], loaded.maxLength);
        const ids = encoded.ids[0] as Int32Array;
        const positions = [...ids.keys()].filter((i) => ids[i] === maskId);
        if (positions.length === 0) {
          throw invalidArgument(
            `every ${maskToken} is beyond the model's max length of ${loaded.maxLength} tokens`,
            { field: 'text' },
          );
        }
        const input = {
          ...makeBatch([ids], [0], padIdOf(tokenizer)),
          maskedPositions: Int32Array.from(positions),
        };
        const results = await predictMasked(model, input, topK);
        const masks = results.map((result, m) => ({
          position: positions[m] as number,
          tokens: Array.from(result.tokenIds, (id, j) => {
            const filled = Array.from(ids);
            filled[positions[m] as number] = id;
            return {
              token: tokenizer.idToToken(id) ?? '',
              tokenId: id,
              score: result.probabilities[j] ?? 0,
              sequence: tokenizer.decode(filled),
            };
          }),
        }));
        return {
          tokens: masks[0]?.tokens ?? [],
          masks,
          truncated: encoded.truncated[0] ?? false,
          modelVersion: resolvedVersion(version),
        };
      },
    );
  }
}
