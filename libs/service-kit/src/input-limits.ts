// The documented maximum of every string and repeated field a Headstart service accepts. The kit
// checks them on each request message before the handler sees it (request-bounds.ts); services may
// check tighter rules of their own afterwards (a model name's alphabet, at most 64 tags, ...).
import { invalidArgument, type HeadstartError } from '@headstart/errors';

/**
 * Lengths are counted in UTF-16 code units (`string.length`: one per character outside emoji and rare
 * scripts). The table in libs/service-kit/README.md lists which fields each limit applies to.
 */
export const INPUT_LIMITS = {
  /** Names: `name`, `*_name`, `name_prefix`, `alias`, `*_alias`, `aliases`, `tag`, `tags`, `relation`. */
  nameChars: 255,
  /** Identifiers: `id`, `*_id`, `idempotency_key`, `actor`, `worker`. */
  idChars: 256,
  /** Free-text descriptions: `description`, `*_description`. */
  descriptionChars: 4096,
  /** Input texts for models: `text`, `texts` (one element). */
  textChars: 64 * 1024,
  /** Keys of a map with string keys (metadata, metrics). */
  mapKeyChars: 128,
  /** String values of a map (version metadata). */
  mapValueChars: 64 * 1024,
  /** Any other string: page tokens, filters, field names of a dataset, reasons, digests, ... */
  otherChars: 1024,
  /** Elements of a repeated field or entries of a map, unless listed in `ITEM_LIMIT_OVERRIDES`. */
  items: 1024,
} as const;

/** Repeated fields allowed more elements than `INPUT_LIMITS.items`, by full proto field name. */
export const ITEM_LIMIT_OVERRIDES: Readonly<Record<string, number>> = {
  // The predictor classifies up to 4096 texts in one call (services/finetune predictor.ts).
  'headstart.finetune.v1.ClassifyRequest.texts': 4096,
};

const NAME = /^(name|name_prefix|alias|aliases|tag|tags|relation)$|_name$|_alias$/;
const ID = /^(id|idempotency_key|actor|worker)$|_id$/;
const DESCRIPTION = /^description$|_description$/;
const TEXT = /^(text|texts)$/;

/** The character limit of a string field (or of each string of a repeated field), by its proto name. */
export function charLimitOf(fieldName: string): number {
  if (ID.test(fieldName)) return INPUT_LIMITS.idChars;
  if (NAME.test(fieldName)) return INPUT_LIMITS.nameChars;
  if (DESCRIPTION.test(fieldName)) return INPUT_LIMITS.descriptionChars;
  if (TEXT.test(fieldName)) return INPUT_LIMITS.textChars;
  return INPUT_LIMITS.otherChars;
}

/** The element limit of a repeated or map field, by its full proto name (`pkg.Message.field`). */
export function itemLimitOf(fullFieldName: string): number {
  return ITEM_LIMIT_OVERRIDES[fullFieldName] ?? INPUT_LIMITS.items;
}

/** INVALID_ARGUMENT `<field> is 300000 characters; the limit is 255`, with `field` and `limit` details. */
export function tooLong(field: string, length: number, limit: number): HeadstartError {
  return invalidArgument(`${field} is ${length} characters; the limit is ${limit}`, {
    field,
    limit: String(limit),
  });
}

/** INVALID_ARGUMENT `<field> has 100000 elements; the limit is 1024` (`entries` for maps). */
export function tooMany(
  field: string,
  count: number,
  limit: number,
  noun: 'elements' | 'entries' = 'elements',
): HeadstartError {
  return invalidArgument(`${field} has ${count} ${noun}; the limit is ${limit}`, {
    field,
    limit: String(limit),
  });
}

/** Throws {@link tooLong} when `value` is longer than `limit` characters. */
export function checkChars(field: string, value: string, limit: number): void {
  if (value.length > limit) throw tooLong(field, value.length, limit);
}

/** Throws {@link tooMany} when a repeated field or map holds more than `limit` items. */
export function checkItems(
  field: string,
  count: number,
  limit: number,
  noun: 'elements' | 'entries' = 'elements',
): void {
  if (count > limit) throw tooMany(field, count, limit, noun);
}
