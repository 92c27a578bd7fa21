import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import { makeTempDir } from './temp-dir';
import { freePort } from './ports';
import { once, waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy probe value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('treats a throwing probe as not yet and reports its last error on timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still 2 pending');
        },
        { timeoutMs: 50, intervalMs: 5, message: 'queue empty' },
      ),
    ).rejects.toThrow(/queue empty.*still 2 pending/);
  });

  it('times out with the message when the probe stays falsy', async () => {
    await expect(waitFor(() => 0, { timeoutMs: 30, message: 'count > 0' })).rejects.toThrow(
      /timed out after 30 ms waiting for count > 0; last value: 0/,
    );
  });
});

describe('once', () => {
  it('resolves with the event arguments', async () => {
    const emitter = new EventEmitter();
    const p = once(emitter, 'ready');
    emitter.emit('ready', 1, 'a');
    await expect(p).resolves.toEqual([1, 'a']);
  });

  it('rejects on error', async () => {
    const emitter = new EventEmitter();
    const p = once(emitter, 'ready');
    emitter.emit('error', new Error('boom'));
    await expect(p).rejects.toThrow('boom');
  });
});

describe('makeTempDir and freePort', () => {
  it('creates and removes a directory', async () => {
    const dir = await makeTempDir('unit/test');
    expect(fs.statSync(dir.path).isDirectory()).toBe(true);
    expect(dir.path).toMatch(/headstart-unit_test-/);
    await dir.remove();
    expect(fs.existsSync(dir.path)).toBe(false);
    await dir.remove();
  });

  it('returns a bindable port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});

describe('waitFor with a hanging probe', () => {
  it('still times out', async () => {
    await expect(
      waitFor(() => new Promise<boolean>(() => undefined), { timeoutMs: 50, message: 'hang' }),
    ).rejects.toThrow(/waiting for hang; last error: probe still pending/);
  });
});
