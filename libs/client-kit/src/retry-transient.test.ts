import { Code, HeadstartError } from '@headstart/errors';
import { isTransientError, retryTransient } from './retry-transient';

const unavailable = () => new HeadstartError(Code.UNAVAILABLE, 'restarting');

/** A call that fails with `failures` in order, then answers 'ok'. */
function flaky(failures: Error[]) {
  let calls = 0;
  return {
    fn: async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return 'ok';
    },
    calls: () => calls,
  };
}

describe('retryTransient', () => {
  it('retries transient failures until the call answers, telling the caller once', async () => {
    const call = flaky([unavailable(), new HeadstartError(Code.DEADLINE_EXCEEDED, 'slow'), unavailable()]);
    const first: string[] = [];
    let waits = 0;
    const result = await retryTransient(call.fn, {
      boundMs: 10_000,
      firstDelayMs: 1,
      onFirstFailure: (err) => first.push(err.message),
      beforeWait: () => waits++,
    });
    expect([result, call.calls(), first, waits]).toEqual(['ok', 4, ['restarting'], 3]);
  });

  it('rethrows a failure that is not transient at once', async () => {
    const refused = new HeadstartError(Code.FAILED_PRECONDITION, 'no');
    const call = flaky([refused]);
    await expect(retryTransient(call.fn, { boundMs: 10_000, firstDelayMs: 1 })).rejects.toBe(refused);
    expect(call.calls()).toBe(1);
    expect(isTransientError(new Error('plain'))).toBe(false);
  });

  it('gives up with the last failure once its bound has passed', async () => {
    const call = flaky(Array.from({ length: 1_000 }, unavailable));
    await expect(
      retryTransient(call.fn, { boundMs: 50, firstDelayMs: 5, maxDelayMs: 5 }),
    ).rejects.toMatchObject({
      code: Code.UNAVAILABLE,
    });
    expect(call.calls()).toBeGreaterThan(1);
    expect(call.calls()).toBeLessThan(100);
  });
});
