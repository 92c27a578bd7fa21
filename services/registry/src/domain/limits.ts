// Bounds on what one version may carry. They keep a row small enough that GetVersion stays a
// sub-millisecond lookup and a hostile client cannot bloat the database through metadata.

/** Free-text descriptions of models and versions. */
export const MAX_DESCRIPTION_CHARS = 4096;
/** Entries in a version's metadata map and, separately, in its metrics map. */
export const MAX_MAP_ENTRIES = 256;
/** Length of a metadata or metric key. */
export const MAX_KEY_CHARS = 128;
/** Length of one metadata value. */
export const MAX_METADATA_VALUE_CHARS = 64 * 1024;
/** Parents of one version. */
export const MAX_PARENTS = 64;
/** Length of run ids, idempotency keys, actors. */
export const MAX_ID_CHARS = 256;
/** Length of the reason of an alias move. */
export const MAX_REASON_CHARS = 1024;
/** Page sizes: 0 means the default, larger requests are capped (AIP-158 style). */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function effectivePageSize(requested: number): number {
  if (!requested) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}
/** Tags on one model or one version. */
export const MAX_TAGS = 64;
