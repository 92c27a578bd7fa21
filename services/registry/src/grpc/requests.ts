import { invalidArgument } from '@headstart/errors';
import { registry } from '@headstart/proto';

import { MAX_ID_CHARS, MAX_REASON_CHARS } from '../domain/limits';
import { normalizeTags, validateAliasName, validateModelName, validateTag } from '../domain/names';
import { validateKind, validateText } from '../domain/version-draft';
import type { LineageDirection, TagChange } from '../storage/metadata-store';

/** A kind filter: UNSPECIFIED means any kind. */
export function kindFilter(kind: registry.ModelKind, field = 'kind'): registry.ModelKind | undefined {
  return kind === registry.ModelKind.MODEL_KIND_UNSPECIFIED ? undefined : validateKind(kind, field);
}

export function optionalTag(tag: string, field: string): string | undefined {
  return tag === '' ? undefined : validateTag(tag, field);
}

export function optionalAlias(alias: string, field: string): string | undefined {
  return alias === '' ? undefined : validateAliasName(alias, field);
}

/** Prefixes are matched, not stored: any text of a plausible length is fine. */
export function namePrefix(prefix: string, field = 'name_prefix'): string | undefined {
  return prefix === '' ? undefined : validateText(prefix, field, 128);
}

export function versionNumber(version: number, field = 'version'): number {
  if (!Number.isInteger(version) || version < 1) {
    throw invalidArgument(`${field} must be 1 or more (version numbers start at 1)`);
  }
  return version;
}

export function aliasTarget(modelName: string, alias: string): { modelName: string; alias: string } {
  return { modelName: validateModelName(modelName), alias: validateAliasName(alias) };
}

export function auditFields(actor: string, reason: string): { actor: string; reason: string } {
  return {
    actor: validateText(actor, 'actor', MAX_ID_CHARS),
    reason: validateText(reason, 'reason', MAX_REASON_CHARS),
  };
}

export function tagChange(add: string[], remove: string[]): TagChange {
  const change = { add: normalizeTags(add, 'add'), remove: normalizeTags(remove, 'remove') };
  const both = change.add.filter((tag) => change.remove.includes(tag));
  if (both.length) throw invalidArgument(`tags both added and removed: ${both.join(', ')}`);
  return change;
}

export function lineageDirection(direction: registry.LineageDirection): LineageDirection {
  switch (direction) {
    case registry.LineageDirection.LINEAGE_DIRECTION_UNSPECIFIED:
    case registry.LineageDirection.LINEAGE_DIRECTION_BOTH:
      return 'both';
    case registry.LineageDirection.LINEAGE_DIRECTION_ANCESTORS:
      return 'ancestors';
    case registry.LineageDirection.LINEAGE_DIRECTION_DESCENDANTS:
      return 'descendants';
    default:
      throw invalidArgument(`direction ${direction} is not a LineageDirection`);
  }
}
