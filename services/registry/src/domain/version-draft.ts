import { invalidArgument, resourceExhausted } from '@headstart/errors';
import { registry } from '@headstart/proto';

import {
  MAX_DESCRIPTION_CHARS,
  MAX_ID_CHARS,
  MAX_KEY_CHARS,
  MAX_MAP_ENTRIES,
  MAX_METADATA_VALUE_CHARS,
  MAX_PARENTS,
} from './limits';
import type { VersionLocator } from './locator';
import { describeLocator, toLocator } from './locator';
import { normalizeTags, validateAliasName, validateModelName, validateRelation } from './names';

export interface ParentDraft {
  locator: VersionLocator;
  relation: string;
}

/** The metadata of an upload, validated and normalised before a single byte is accepted. */
export interface VersionDraft {
  modelName: string;
  kind: registry.ModelKind;
  modelDescription: string;
  description: string;
  metadata: Record<string, string>;
  metrics: Record<string, number>;
  parents: ParentDraft[];
  tags: string[];
  aliases: string[];
  runId: string;
  /** Lowercase hex, or undefined when the client declared none. */
  expectedSha256: string | undefined;
  expectedSize: number | undefined;
  idempotencyKey: string | undefined;
}

const KINDS: ReadonlySet<number> = new Set([
  registry.ModelKind.MODEL_KIND_DATASET,
  registry.ModelKind.MODEL_KIND_TOKENIZER,
  registry.ModelKind.MODEL_KIND_BASE_MODEL,
  registry.ModelKind.MODEL_KIND_FINETUNED_MODEL,
  registry.ModelKind.MODEL_KIND_REPORT,
]);

export function isKnownKind(kind: number): kind is registry.ModelKind {
  return KINDS.has(kind);
}

/** `MODEL_KIND_BASE_MODEL` → `BASE_MODEL`, for messages people read. */
export function kindName(kind: registry.ModelKind): string {
  return registry.modelKindToJSON(kind).replace(/^MODEL_KIND_/, '');
}

export function validateKind(kind: number, field = 'kind'): registry.ModelKind {
  if (!isKnownKind(kind)) {
    throw invalidArgument(
      `${field} must be one of DATASET, TOKENIZER, BASE_MODEL, FINETUNED_MODEL, REPORT (got ${kind === 0 ? 'UNSPECIFIED' : kind})`,
    );
  }
  return kind;
}

export function validateText(value: string, field: string, max: number): string {
  if (value.length > max) throw invalidArgument(`${field} is too long: ${value.length} > ${max} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value)) {
    throw invalidArgument(`${field} contains control characters`);
  }
  return value;
}

function validateKey(key: string, field: string): void {
  if (key.length === 0) throw invalidArgument(`${field} has an empty key`);
  validateText(key, `${field} key ${JSON.stringify(key.slice(0, 40))}`, MAX_KEY_CHARS);
}

export function validateMetadataMap(map: Record<string, string>, field = 'metadata'): Record<string, string> {
  const entries = Object.entries(map);
  if (entries.length > MAX_MAP_ENTRIES) throw invalidArgument(`${field}: at most ${MAX_MAP_ENTRIES} entries`);
  for (const [key, value] of entries) {
    validateKey(key, field);
    if (value.length > MAX_METADATA_VALUE_CHARS) {
      throw invalidArgument(
        `${field}[${JSON.stringify(key)}] is longer than ${MAX_METADATA_VALUE_CHARS} characters`,
      );
    }
  }
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function validateMetricsMap(map: Record<string, number>, field = 'metrics'): Record<string, number> {
  const entries = Object.entries(map);
  if (entries.length > MAX_MAP_ENTRIES) throw invalidArgument(`${field}: at most ${MAX_MAP_ENTRIES} entries`);
  for (const [key, value] of entries) {
    validateKey(key, field);
    // Stored as JSON, which has no NaN or Infinity; a diverged loss belongs in metadata, not metrics.
    if (!Number.isFinite(value)) throw invalidArgument(`${field}[${JSON.stringify(key)}] must be finite`);
  }
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function validateParents(parents: registry.ParentSpec[]): ParentDraft[] {
  if (parents.length > MAX_PARENTS)
    throw invalidArgument(`parents: at most ${MAX_PARENTS}, got ${parents.length}`);
  const seen = new Set<string>();
  return parents.map((parent, i) => {
    const locator = toLocator(parent.ref, `parents[${i}].ref`);
    const relation = validateRelation(parent.relation, `parents[${i}].relation`);
    const key = `${describeLocator(locator)} ${relation}`;
    if (seen.has(key))
      throw invalidArgument(`parents[${i}] repeats ${describeLocator(locator)} as ${relation}`);
    seen.add(key);
    return { locator, relation };
  });
}

function validateExpectedSha256(value: string): string | undefined {
  if (value === '') return undefined;
  const lower = value.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(lower)) {
    throw invalidArgument('expected_sha256 must be 64 hexadecimal characters (a sha256 digest)');
  }
  return lower;
}

/** Validates the first message of CreateVersion. `maxArtifactBytes` bounds a declared size up front. */
export function toVersionDraft(meta: registry.VersionMetadata, maxArtifactBytes: number): VersionDraft {
  const modelName = validateModelName(meta.modelName);
  const kind = validateKind(meta.kind);
  const aliases = [
    ...new Set(meta.aliases.map((alias, i) => validateAliasName(alias, `aliases[${i}]`))),
  ].sort();
  const expectedSize = meta.expectedSize;
  if (expectedSize !== undefined && (!Number.isSafeInteger(expectedSize) || expectedSize < 0)) {
    throw invalidArgument('expected_size must be a non-negative integer');
  }
  if (expectedSize !== undefined && expectedSize > maxArtifactBytes) {
    // Refused as the size limit it is, before the client spends time sending the bytes.
    throw resourceExhausted(
      `expected_size ${expectedSize} is over the registry's artifact limit of ${maxArtifactBytes} bytes`,
    );
  }
  return {
    modelName,
    kind,
    modelDescription: validateText(meta.modelDescription, 'model_description', MAX_DESCRIPTION_CHARS),
    description: validateText(meta.description, 'description', MAX_DESCRIPTION_CHARS),
    metadata: validateMetadataMap(meta.metadata),
    metrics: validateMetricsMap(meta.metrics),
    parents: validateParents(meta.parents),
    tags: normalizeTags(meta.tags),
    aliases,
    runId: validateText(meta.runId, 'run_id', MAX_ID_CHARS),
    expectedSha256: validateExpectedSha256(meta.expectedSha256),
    expectedSize,
    idempotencyKey:
      meta.idempotencyKey === ''
        ? undefined
        : validateText(meta.idempotencyKey, 'idempotency_key', MAX_ID_CHARS),
  };
}
