import { Code, HeadstartError } from '@headstart/errors';
import { parseShards, startRunRequest } from './commands/pretrain-options';

function refusal(text: string): HeadstartError {
  try {
    parseShards(text);
  } catch (err) {
    expect(err).toBeInstanceOf(HeadstartError);
    return err as HeadstartError;
  }
  throw new Error(`parseShards accepted "${text}"`);
}

describe('pretrain start --shards', () => {
  it('keeps the single form: NAME, NAME:VERSION, NAME@ALIAS', () => {
    expect(parseShards('wiki-shards:3')).toEqual({
      shards: { name: 'wiki-shards', selector: { $case: 'version', version: 3 } },
    });
    expect(startRunRequest({ model: 'm', shards: 'wiki-shards@final' }).spec?.shards).toEqual({
      name: 'wiki-shards',
      selector: { $case: 'alias', alias: 'final' },
    });
    expect(startRunRequest({ model: 'm', shards: 'wiki-shards' }).spec?.mixture).toEqual([]);
  });

  it('reads a mixture REF=WEIGHT,REF=WEIGHT into spec.mixture, leaving spec.shards unset', () => {
    const { spec } = startRunRequest({ model: 'm', shards: 'general:3=0.7,domain@final=0.3,task=2' });
    expect(spec?.shards).toBeUndefined();
    expect(spec?.mixture).toEqual([
      { shards: { name: 'general', selector: { $case: 'version', version: 3 } }, weight: 0.7 },
      { shards: { name: 'domain', selector: { $case: 'alias', alias: 'final' } }, weight: 0.3 },
      { shards: { name: 'task', selector: { $case: 'latest', latest: true } }, weight: 2 },
    ]);
  });

  it('refuses a source without a weight, a weight that is not a number > 0, and a bad reference', () => {
    for (const text of ['a=0.5,b', 'a=0.5,b=', 'a=0,b=1', 'a=-1,b=1', 'a=x,b=1', 'a=Infinity']) {
      const err = refusal(text);
      expect(err.code).toBe(Code.INVALID_ARGUMENT);
      expect(err.message).toContain(`--shards "${text}"`);
      expect(err.details?.['field']).toBe('shards');
    }
    expect(refusal('a:x=1,b=1').message).toContain('invalid version reference "a:x"');
  });
});
