import { Code, HeadstartError } from '@headstart/errors';
import { parseVersionRef, type ParentInput } from '@headstart/registry-client';

function invalid(message: string, field: string): HeadstartError {
  return new HeadstartError(Code.INVALID_ARGUMENT, message, { details: { field } });
}

/** A version number as typed on the command line: a positive integer. */
export function parseVersionNumber(text: string, field = 'version'): number {
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > 0xffff_ffff) {
    throw invalid(`${field} must be a positive integer, got "${text}"`, field);
  }
  return Number(text);
}

/** A non-negative integer option such as --depth. */
export function parseCount(text: string, field: string): number {
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalid(`--${field} must be a non-negative integer, got "${text}"`, field);
  }
  return Number(text);
}

/**
 * `--parent REF:RELATION`: the relation follows the last ':' so the reference may carry its own
 * (`wiki:2:trained_on`, `bert@prod:finetuned_from`, `wordpiece:tokenized_with`).
 */
export function parseParent(text: string): ParentInput {
  const cut = text.lastIndexOf(':');
  const relation = cut < 0 ? '' : text.slice(cut + 1);
  if (cut <= 0 || !/^[a-z][a-z0-9_]*$/.test(relation)) {
    throw invalid(
      `--parent "${text}" must be REF:RELATION with a lower_snake_case relation, ` +
        'e.g. wiki-corpus:2:trained_on or wordpiece@production:tokenized_with',
      'parent',
    );
  }
  const ref = text.slice(0, cut);
  parseVersionRef(ref);
  return { ref, relation };
}

/** `--meta k=v`: split at the first '='; the value may be empty or contain '='. */
export function parseKeyValue(text: string, option: string): [string, string] {
  const cut = text.indexOf('=');
  if (cut <= 0) throw invalid(`--${option} "${text}" must be KEY=VALUE`, option);
  return [text.slice(0, cut), text.slice(cut + 1)];
}

export function parseMetric(text: string): [string, number] {
  const [key, raw] = parseKeyValue(text, 'metric');
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw invalid(`--metric ${key} must be a finite number, got "${raw}"`, 'metric');
  }
  return [key, value];
}

/** Commander collector for repeatable options. */
export function collectRepeated(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
