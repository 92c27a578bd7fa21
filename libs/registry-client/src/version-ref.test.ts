import { Code, HeadstartError } from '@headstart/errors';
import { formatVersionRef, parseVersionRef, toVersionRef, versionRef } from './version-ref';

function parseError(input: string): HeadstartError {
  try {
    parseVersionRef(input);
  } catch (err) {
    if (err instanceof HeadstartError) return err;
    throw err;
  }
  throw new Error(`parseVersionRef accepted "${input}"`);
}

describe('parseVersionRef', () => {
  it('reads a bare name as the latest version', () => {
    expect(parseVersionRef('bert-tiny')).toEqual({
      name: 'bert-tiny',
      selector: { $case: 'latest', latest: true },
    });
    expect(parseVersionRef('bert-tiny:latest')).toEqual(parseVersionRef('bert-tiny'));
  });

  it('reads NAME:VERSION as a version number', () => {
    expect(parseVersionRef('wiki.en_v2:17')).toEqual({
      name: 'wiki.en_v2',
      selector: { $case: 'version', version: 17 },
    });
    expect(parseVersionRef(`m:${0xffff_ffff}`).selector).toEqual({ $case: 'version', version: 0xffff_ffff });
  });

  it('reads NAME@ALIAS as an alias', () => {
    expect(parseVersionRef('bert-tiny@latest-checkpoint')).toEqual({
      name: 'bert-tiny',
      selector: { $case: 'alias', alias: 'latest-checkpoint' },
    });
  });

  it.each([
    ['', 'model name is empty'],
    [':3', 'model name is empty'],
    ['@prod', 'model name is empty'],
    ['bert:', 'version "" is not a positive integer'],
    ['bert:0', 'version "0" is not a positive integer'],
    ['bert:01', 'version "01" is not a positive integer'],
    ['bert:-1', 'version "-1" is not a positive integer'],
    ['bert:1.5', 'version "1.5" is not a positive integer'],
    ['bert:v3', 'version "v3" is not a positive integer'],
    [`bert:${0x1_0000_0000}`, 'is not a positive integer'],
    ['bert:3:4', 'version "3:4" is not a positive integer'],
    ['bert@', 'alias is empty'],
    ['bert@a@b', 'alias "a@b" contains'],
    ['bert@prod:3', "use either ':' or '@', not both"],
    ['bert tiny', 'contains whitespace'],
  ])('refuses %j with INVALID_ARGUMENT (%s) and lists the accepted forms', (input, why) => {
    const error = parseError(input);
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toContain(why);
    expect(error.message).toContain('NAME:VERSION');
    expect(error.message).toContain('NAME@ALIAS');
    expect(error.details).toEqual({ field: 'ref', value: input });
  });
});

describe('formatVersionRef', () => {
  it.each(['bert', 'bert:3', 'bert@production'])('round-trips %s', (input) => {
    expect(formatVersionRef(parseVersionRef(input))).toBe(input);
  });

  it('prints a ref without selector as the bare name', () => {
    expect(formatVersionRef({ name: 'bert', selector: undefined })).toBe('bert');
    expect(formatVersionRef(versionRef('bert', 9))).toBe('bert:9');
  });
});

describe('toVersionRef', () => {
  it('passes VersionRef objects through and parses strings', () => {
    const ref = versionRef('bert', 2);
    expect(toVersionRef(ref)).toBe(ref);
    expect(toVersionRef('bert:2')).toEqual(ref);
  });
});
