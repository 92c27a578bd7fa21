import { Code, HeadstartError } from '@headstart/errors';
import { parseCount, parseKeyValue, parseMetric, parseParent, parseVersionNumber } from './args';

function codeOf(fn: () => unknown): Code | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HeadstartError ? err.code : undefined;
  }
  return undefined;
}

describe('command-line argument parsing', () => {
  it('reads --parent REF:RELATION with the relation after the last colon', () => {
    expect(parseParent('wiki:2:trained_on')).toEqual({ ref: 'wiki:2', relation: 'trained_on' });
    expect(parseParent('wordpiece@production:tokenized_with')).toEqual({
      ref: 'wordpiece@production',
      relation: 'tokenized_with',
    });
    expect(parseParent('wiki:trained_on')).toEqual({ ref: 'wiki', relation: 'trained_on' });
  });

  it.each(['wiki', 'wiki:2', ':trained_on', 'wiki:Trained', 'wiki:x:trained_on'])(
    'refuses --parent %j as INVALID_ARGUMENT',
    (text) => {
      expect(codeOf(() => parseParent(text))).toBe(Code.INVALID_ARGUMENT);
    },
  );

  it('reads KEY=VALUE and numeric metrics', () => {
    expect(parseKeyValue('url=http://x/?a=b', 'meta')).toEqual(['url', 'http://x/?a=b']);
    expect(parseKeyValue('empty=', 'meta')).toEqual(['empty', '']);
    expect(parseMetric('loss=0.25')).toEqual(['loss', 0.25]);
    expect(parseMetric('steps=1e3')).toEqual(['steps', 1000]);
    for (const bad of ['=x', 'novalue'])
      expect(codeOf(() => parseKeyValue(bad, 'meta'))).toBe(Code.INVALID_ARGUMENT);
    for (const bad of ['loss=', 'loss=abc', 'loss=Infinity'])
      expect(codeOf(() => parseMetric(bad))).toBe(Code.INVALID_ARGUMENT);
  });

  it('reads version numbers and counts', () => {
    expect(parseVersionNumber('12')).toBe(12);
    expect(parseCount('0', 'depth')).toBe(0);
    for (const bad of ['0', '-1', '1.0', 'x', ''])
      expect(codeOf(() => parseVersionNumber(bad))).toBe(Code.INVALID_ARGUMENT);
    expect(codeOf(() => parseCount('-2', 'depth'))).toBe(Code.INVALID_ARGUMENT);
  });
});
