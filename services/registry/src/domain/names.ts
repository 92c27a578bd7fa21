import { invalidArgument } from '@headstart/errors';

import { MAX_TAGS } from './limits';

// Names end up in URLs, file names, CLI arguments (`name:3`, `name@alias`) and NATS headers, so they
// are kept to a small, unambiguous alphabet.

/** Model names: 1-128 characters, lowercase letters, digits, `.`, `_`, `-`; starting with a letter or digit. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** Alias names: 1-64 characters like model names but starting with a letter, so never a version number. */
export const ALIAS_NAME_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;
/** Tags: 1-64 characters, letters (any case), digits and `.`, `_`, `-`, `:`, `=`, `/` (e.g. `lang:en`). */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:=/-]{0,63}$/;
/** Relations of a parent link: snake_case identifiers such as `trained_on` or `finetuned_from`. */
export const RELATION_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** `latest` is what `GetVersion` resolves without an alias; an alias of that name would shadow it. */
export const RESERVED_ALIASES: readonly string[] = ['latest'];

export function validateModelName(name: string, field = 'model_name'): string {
  if (name.length === 0) throw invalidArgument(`${field} is required`);
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw invalidArgument(
      `${field} ${JSON.stringify(name)} is invalid: use 1-128 characters of a-z, 0-9, '.', '_', '-', ` +
        'starting with a letter or digit',
    );
  }
  return name;
}

export function validateAliasName(alias: string, field = 'alias'): string {
  if (alias.length === 0) throw invalidArgument(`${field} is required`);
  if (!ALIAS_NAME_PATTERN.test(alias)) {
    throw invalidArgument(
      `${field} ${JSON.stringify(alias)} is invalid: use 1-64 characters of a-z, 0-9, '.', '_', '-', ` +
        'starting with a letter',
    );
  }
  if (RESERVED_ALIASES.includes(alias)) {
    throw invalidArgument(`${field} ${JSON.stringify(alias)} is reserved (use the latest selector instead)`);
  }
  return alias;
}

export function validateTag(tag: string, field = 'tag'): string {
  if (!TAG_PATTERN.test(tag)) {
    throw invalidArgument(
      `${field} ${JSON.stringify(tag)} is invalid: use 1-64 characters of letters, digits, '.', '_', '-', ` +
        "':', '=', '/', starting with a letter or digit",
    );
  }
  return tag;
}

/** Validates tags and returns them deduplicated and sorted (tags are a set). */
export function normalizeTags(tags: readonly string[], field = 'tags', max = MAX_TAGS): string[] {
  const unique = [...new Set(tags.map((tag, i) => validateTag(tag, `${field}[${i}]`)))].sort();
  if (unique.length > max) throw invalidArgument(`${field}: at most ${max} tags, got ${unique.length}`);
  return unique;
}

export function validateRelation(relation: string, field = 'relation'): string {
  if (relation.length === 0) {
    throw invalidArgument(
      `${field} is required (e.g. trained_on, tokenized_with, finetuned_from, resumed_from)`,
    );
  }
  if (!RELATION_PATTERN.test(relation)) {
    throw invalidArgument(
      `${field} ${JSON.stringify(relation)} is invalid: use a snake_case identifier such as trained_on`,
    );
  }
  return relation;
}
