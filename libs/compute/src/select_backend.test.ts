import os from 'node:os';
import { selectBackend } from './select_backend';
import type { ComputeLogger } from './select_backend';
import { tf } from './tf';

function recordingLogger(): ComputeLogger & { lines: { level: string; obj: object; msg?: string }[] } {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
  };
}

describe('selectBackend', () => {
  it("'cpu' activates the native backend with the requested threads", async () => {
    const logger = recordingLogger();
    const info = await selectBackend({ backend: 'cpu', threads: 2, logger });
    expect(info).toMatchObject({ name: 'headstart-cpu', kind: 'native-cpu', threads: 2 });
    expect(String(info.details['blas'])).toMatch(/OpenBLAS/);
    expect(info.details['blasThreads']).toBe(1);
    expect(tf.getBackend()).toBe('headstart-cpu');
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'compute backend selected' }),
    ]);
  });

  it("'auto' without the tfjs-node packages falls to the native backend and says why", async () => {
    const logger = recordingLogger();
    const info = await selectBackend({ backend: 'auto', logger });
    expect(info).toMatchObject({
      name: 'headstart-cpu',
      kind: 'native-cpu',
      threads: os.availableParallelism(),
    });
    const skipped = (logger.lines[0]?.obj as { skipped: string[] }).skipped;
    expect(skipped).toEqual([
      expect.stringMatching(/^@tensorflow\/tfjs-node-gpu not loadable/),
      expect.stringMatching(/^@tensorflow\/tfjs-node not loadable/),
    ]);
  });

  it("'tensorflow' fails with the reason when libtensorflow is not installed", async () => {
    await expect(selectBackend({ backend: 'tensorflow' })).rejects.toThrow(
      /tfjs-node-gpu not loadable.*tfjs-node not loadable/,
    );
  });

  it("'wasm' fails clearly when the wasm package is not installed", async () => {
    await expect(selectBackend({ backend: 'wasm' })).rejects.toThrow(/tfjs-backend-wasm is not installed/);
  });

  it("'gpu' fails at once, naming why, on a machine without a usable GPU (this one)", async () => {
    await expect(selectBackend({ backend: 'gpu' })).rejects.toThrow(
      /backend 'gpu' requested but no GPU can be used \(@tensorflow\/tfjs-node-gpu not loadable.*HEADSTART_BACKEND=auto/,
    );
  });

  it('rejects unknown choices', async () => {
    await expect(selectBackend({ backend: 'tpu' as never })).rejects.toThrow(
      /unknown backend 'tpu' \(expected auto, gpu, tensorflow, wasm, cpu\)/,
    );
  });
});
