import { createLogger } from './logger';
import { REDACTED } from './redact';

const PLANTED = 'hs_planted_0b9e2f7c41d8';

describe('secrets in logs', () => {
  it('censors credential fields, Bearer tokens in messages and in errors', () => {
    const out: string[] = [];
    const logger = createLogger({
      name: 't',
      level: 'trace',
      destination: { write: (l: string) => void out.push(l) },
    });
    logger.info({ authorization: `Bearer ${PLANTED}` }, 'header');
    logger.info({ call: { metadata: { authorization: `Bearer ${PLANTED}` } } }, 'nested');
    logger.info({ config: { token: PLANTED, password: PLANTED } }, 'config');
    logger.warn(`retrying with Bearer ${PLANTED}`);
    logger.error({ err: new Error(`upstream said: Authorization: Bearer ${PLANTED}`) }, 'failed');
    logger.child({ token: PLANTED }).debug('child');
    expect(out).toHaveLength(6);
    expect(out.join('\n')).not.toContain(PLANTED);
    expect(JSON.parse(out[0]!)).toMatchObject({ authorization: REDACTED });
    expect(JSON.parse(out[3]!)).toMatchObject({ msg: `retrying with Bearer ${REDACTED}` });
  });

  it('keeps an err given as text a string, scrubbed', () => {
    const out: string[] = [];
    const logger = createLogger({ name: 't', destination: { write: (l: string) => void out.push(l) } });
    logger.warn({ err: 'TIMEOUT' }, 'sweep failed');
    logger.warn({ err: `denied for Bearer ${PLANTED}` }, 'call failed');
    logger.warn({ err: 42 }, 'odd');
    expect(out.map((l) => (JSON.parse(l) as { err: unknown }).err)).toEqual([
      'TIMEOUT',
      `denied for Bearer ${REDACTED}`,
      42,
    ]);
  });
});
