import { Code, HeadstartError } from '@headstart/errors';
import { registry } from '@headstart/proto';

const KIND_NAMES: ReadonlyArray<readonly [string, registry.ModelKind]> = [
  ['dataset', registry.ModelKind.MODEL_KIND_DATASET],
  ['tokenizer', registry.ModelKind.MODEL_KIND_TOKENIZER],
  ['base_model', registry.ModelKind.MODEL_KIND_BASE_MODEL],
  ['finetuned_model', registry.ModelKind.MODEL_KIND_FINETUNED_MODEL],
  ['report', registry.ModelKind.MODEL_KIND_REPORT],
];

/** The short names `parseModelKind` accepts, for help texts. */
export const MODEL_KIND_NAMES: readonly string[] = KIND_NAMES.map(([name]) => name);

/** A kind as callers write it: the enum value or a name such as `base_model`. */
export type ModelKindInput = registry.ModelKind | string;

/**
 * Accepts `dataset`, `tokenizer`, `base_model`, `finetuned_model`, `report` in any case, with `-` or `_`, and the
 * full enum names (`MODEL_KIND_BASE_MODEL`). Anything else is INVALID_ARGUMENT naming the choices.
 */
export function parseModelKind(input: ModelKindInput): registry.ModelKind {
  if (typeof input !== 'string') return input;
  const normalized = input
    .trim()
    .toLowerCase()
    .replace(/-/g, '_')
    .replace(/^model_kind_/, '');
  const found = KIND_NAMES.find(([name]) => name === normalized);
  if (found === undefined) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `unknown model kind "${input}": expected one of ${MODEL_KIND_NAMES.join(', ')}`,
      { details: { field: 'kind', value: input } },
    );
  }
  return found[1];
}

/** The short name of a kind (`base_model`), or `unspecified`. */
export function formatModelKind(kind: registry.ModelKind): string {
  return KIND_NAMES.find(([, value]) => value === kind)?.[0] ?? 'unspecified';
}
