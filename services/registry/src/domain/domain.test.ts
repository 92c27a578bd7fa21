import { Code, HeadstartError } from '@headstart/errors';
import { registry } from '@headstart/proto';

import { isVersionId, newVersionId } from './ids';
import { describeLocator, toLocator } from './locator';
import { normalizeTags, validateAliasName, validateModelName, validateRelation } from './names';
import { decodePageToken, encodePageToken } from './page-token';
import { toVersionDraft } from './version-draft';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HeadstartError ? err.code : -1;
  }
  return undefined;
}

function metadata(overrides: Partial<registry.VersionMetadata> = {}): registry.VersionMetadata {
  return { ...registry.VersionMetadata.fromPartial({ modelName: 'm', kind: 1 }), ...overrides };
}

describe('version ids', () => {
  it('are 26-character ULIDs that sort by time and do not collide', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => newVersionId(1_700_000_000_000 + i));
    expect(ids.every(isVersionId)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(newVersionId(0).slice(0, 10)).toBe('0000000000');
  });
});

describe('names', () => {
  it('accepts model names of 1-128 lowercase characters and refuses the rest', () => {
    expect(validateModelName('bert-tiny_en.v2')).toBe('bert-tiny_en.v2');
    expect(validateModelName('a'.repeat(128))).toHaveLength(128);
    for (const bad of ['', 'Bert', '-x', '.x', 'a b', 'a/b', 'a'.repeat(129), 'é']) {
      expect(codeOf(() => validateModelName(bad))).toBe(Code.INVALID_ARGUMENT);
    }
  });

  it('refuses aliases that look like numbers or shadow the latest selector', () => {
    expect(validateAliasName('production')).toBe('production');
    for (const bad of ['3', '1abc', 'latest', '', 'Prod']) {
      expect(codeOf(() => validateAliasName(bad))).toBe(Code.INVALID_ARGUMENT);
    }
  });

  it('dedupes and sorts tags and checks relations', () => {
    expect(normalizeTags(['b', 'lang:en', 'b', 'A'])).toEqual(['A', 'b', 'lang:en']);
    expect(codeOf(() => normalizeTags(['ok', 'not ok']))).toBe(Code.INVALID_ARGUMENT);
    expect(codeOf(() => normalizeTags(Array.from({ length: 65 }, (_, i) => `t${i}`)))).toBe(
      Code.INVALID_ARGUMENT,
    );
    expect(validateRelation('trained_on')).toBe('trained_on');
    expect(codeOf(() => validateRelation(''))).toBe(Code.INVALID_ARGUMENT);
    expect(codeOf(() => validateRelation('Trained On'))).toBe(Code.INVALID_ARGUMENT);
  });
});

describe('locators', () => {
  it('reads number, alias and latest selectors, and no selector as latest', () => {
    expect(describeLocator(toLocator({ name: 'm', selector: { $case: 'version', version: 3 } }))).toBe('m:3');
    expect(describeLocator(toLocator({ name: 'm', selector: { $case: 'alias', alias: 'prod' } }))).toBe(
      'm@prod',
    );
    expect(toLocator({ name: 'm', selector: undefined })).toEqual({ modelName: 'm', by: 'latest' });
    expect(codeOf(() => toLocator({ name: 'm', selector: { $case: 'version', version: 0 } }))).toBe(
      Code.INVALID_ARGUMENT,
    );
    expect(codeOf(() => toLocator(undefined))).toBe(Code.INVALID_ARGUMENT);
  });
});

describe('page tokens', () => {
  const filter = { kind: 1, prefix: 'bert' };

  it('round-trip the last key for the same listing and filter', () => {
    const token = encodePageToken('versions', filter, ['bert', 7]);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, 'versions', filter, ['string', 'number'])).toEqual(['bert', 7]);
    expect(decodePageToken('', 'versions', filter, ['string', 'number'])).toBeUndefined();
  });

  it('refuse garbage, tokens of another listing and tokens of another filter', () => {
    const token = encodePageToken('versions', filter, ['bert', 7]);
    for (const bad of [
      '!!!',
      'abc',
      Buffer.from('{"s":"versions"}').toString('base64url'),
      token.slice(0, -3),
    ]) {
      expect(codeOf(() => decodePageToken(bad, 'versions', filter, ['string', 'number']))).toBe(
        Code.INVALID_ARGUMENT,
      );
    }
    expect(codeOf(() => decodePageToken(token, 'models', filter, ['string', 'number']))).toBe(
      Code.INVALID_ARGUMENT,
    );
    expect(codeOf(() => decodePageToken(token, 'versions', { kind: 2 }, ['string', 'number']))).toBe(
      Code.INVALID_ARGUMENT,
    );
    expect(codeOf(() => decodePageToken(token, 'versions', filter, ['number', 'number']))).toBe(
      Code.INVALID_ARGUMENT,
    );
  });
});

describe('version drafts', () => {
  it('normalise a valid upload header', () => {
    const draft = toVersionDraft(
      metadata({
        modelName: 'bert',
        kind: registry.ModelKind.MODEL_KIND_BASE_MODEL,
        tags: ['z', 'a', 'z'],
        aliases: ['latest-checkpoint'],
        expectedSha256: 'AB'.repeat(32),
        expectedSize: 10,
        parents: [
          { ref: { name: 'corpus', selector: { $case: 'version', version: 1 } }, relation: 'trained_on' },
        ],
      }),
      100,
    );
    expect(draft.tags).toEqual(['a', 'z']);
    expect(draft.expectedSha256).toBe('ab'.repeat(32));
    expect(draft.idempotencyKey).toBeUndefined();
    expect(draft.parents[0]?.locator).toEqual({ modelName: 'corpus', by: 'number', version: 1 });
  });

  it('refuse an unspecified or unknown kind, bad digests, non-finite metrics and oversize declarations', () => {
    expect(codeOf(() => toVersionDraft(metadata({ kind: 0 }), 100))).toBe(Code.INVALID_ARGUMENT);
    expect(codeOf(() => toVersionDraft(metadata({ kind: 9 as registry.ModelKind }), 100))).toBe(
      Code.INVALID_ARGUMENT,
    );
    expect(codeOf(() => toVersionDraft(metadata({ expectedSha256: 'abc' }), 100))).toBe(
      Code.INVALID_ARGUMENT,
    );
    expect(codeOf(() => toVersionDraft(metadata({ metrics: { loss: NaN } }), 100))).toBe(
      Code.INVALID_ARGUMENT,
    );
    expect(codeOf(() => toVersionDraft(metadata({ expectedSize: 101 }), 100))).toBe(Code.RESOURCE_EXHAUSTED);
    const twice = { ref: { name: 'p', selector: undefined }, relation: 'trained_on' };
    expect(codeOf(() => toVersionDraft(metadata({ parents: [twice, twice] }), 100))).toBe(
      Code.INVALID_ARGUMENT,
    );
  });
});
