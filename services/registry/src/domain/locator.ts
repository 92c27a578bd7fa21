import { invalidArgument } from '@headstart/errors';
import type { common } from '@headstart/proto';

import { validateAliasName, validateModelName } from './names';

/** A validated reference to one version: by number, by alias, or the latest. */
export type VersionLocator =
  | { modelName: string; by: 'number'; version: number }
  | { modelName: string; by: 'alias'; alias: string }
  | { modelName: string; by: 'latest' };

/**
 * Validates a wire `VersionRef`. A ref without a selector means the latest version, the same as the
 * CLI's bare `NAME`: asking for "the model" means its newest version.
 */
export function toLocator(ref: common.VersionRef | undefined, field = 'ref'): VersionLocator {
  if (!ref) throw invalidArgument(`${field} is required`);
  const modelName = validateModelName(ref.name, `${field}.name`);
  const selector = ref.selector;
  if (!selector || selector.$case === 'latest') return { modelName, by: 'latest' };
  if (selector.$case === 'alias') {
    return { modelName, by: 'alias', alias: validateAliasName(selector.alias, `${field}.alias`) };
  }
  if (!Number.isInteger(selector.version) || selector.version < 1) {
    throw invalidArgument(`${field}.version must be 1 or more (version numbers start at 1)`);
  }
  return { modelName, by: 'number', version: selector.version };
}

/** `name:3`, `name@production`, `name (latest)`: the CLI's spelling, used in error messages. */
export function describeLocator(locator: VersionLocator): string {
  switch (locator.by) {
    case 'number':
      return `${locator.modelName}:${locator.version}`;
    case 'alias':
      return `${locator.modelName}@${locator.alias}`;
    case 'latest':
      return `${locator.modelName} (latest)`;
  }
}
