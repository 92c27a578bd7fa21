import { Code, HeadstartError } from '@headstart/errors';
import type { common } from '@headstart/proto';

/** A version as callers write it: `NAME`, `NAME:VERSION`, `NAME@ALIAS`, or an already built VersionRef. */
export type VersionRefInput = string | common.VersionRef;

const ACCEPTED_FORMS =
  'expected NAME (latest version), NAME:VERSION (a positive integer) or NAME@ALIAS, ' +
  'e.g. bert-tiny, bert-tiny:3, bert-tiny@production';

const MAX_VERSION = 0xffff_ffff;

/** Characters that would make a reference ambiguous or unprintable; the server checks the rest. */
const FORBIDDEN_IN_PART = /[\s:@]/;

function invalidRef(input: string, why: string): HeadstartError {
  return new HeadstartError(
    Code.INVALID_ARGUMENT,
    `invalid version reference "${input}": ${why}; ${ACCEPTED_FORMS}`,
    {
      details: { field: 'ref', value: input },
    },
  );
}

function checkPart(input: string, part: string, what: string): void {
  if (part.length === 0) throw invalidRef(input, `the ${what} is empty`);
  if (FORBIDDEN_IN_PART.test(part)) {
    throw invalidRef(input, `the ${what} "${part}" contains whitespace, ':' or '@'`);
  }
}

/**
 * Parses `NAME` (the latest version), `NAME:VERSION`, `NAME:latest` or `NAME@ALIAS` into a VersionRef.
 * Throws an INVALID_ARGUMENT HeadstartError that lists the accepted forms otherwise.
 */
export function parseVersionRef(input: string): common.VersionRef {
  const at = input.indexOf('@');
  const colon = input.indexOf(':');
  if (at >= 0 && colon >= 0) throw invalidRef(input, "use either ':' or '@', not both");
  if (at >= 0) {
    const name = input.slice(0, at);
    const alias = input.slice(at + 1);
    checkPart(input, name, 'model name');
    checkPart(input, alias, 'alias');
    return { name, selector: { $case: 'alias', alias } };
  }
  if (colon >= 0) {
    const name = input.slice(0, colon);
    const version = input.slice(colon + 1);
    checkPart(input, name, 'model name');
    if (version === 'latest') return { name, selector: { $case: 'latest', latest: true } };
    if (!/^[1-9][0-9]*$/.test(version) || Number(version) > MAX_VERSION) {
      throw invalidRef(input, `the version "${version}" is not a positive integer`);
    }
    return { name, selector: { $case: 'version', version: Number(version) } };
  }
  checkPart(input, input, 'model name');
  return { name: input, selector: { $case: 'latest', latest: true } };
}

/** The string form of a reference, the inverse of `parseVersionRef` (latest prints as the bare name). */
export function formatVersionRef(ref: common.VersionRef): string {
  switch (ref.selector?.$case) {
    case 'version':
      return `${ref.name}:${ref.selector.version}`;
    case 'alias':
      return `${ref.name}@${ref.selector.alias}`;
    default:
      return ref.name;
  }
}

/** A VersionRef from either form; a VersionRef object is passed through unchanged. */
export function toVersionRef(input: VersionRefInput): common.VersionRef {
  return typeof input === 'string' ? parseVersionRef(input) : input;
}

/** A reference to exactly one numbered version, e.g. for a delete that must not follow an alias. */
export function versionRef(name: string, version: number): common.VersionRef {
  return { name, selector: { $case: 'version', version } };
}
