import path from 'node:path';
import { addonPath, loadNativeAddon } from './addon';

describe('loadNativeAddon', () => {
  it('loads the built addon, which reports OpenBLAS and takes thread settings', () => {
    const loaded = loadNativeAddon();
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.path).toBe(addonPath);
    expect(loaded.addon.blasConfig()).toMatch(/OpenBLAS/);
    expect(loaded.addon.setThreads(2)).toBe(2);
    expect(loaded.addon.threads()).toBe(2);
  });

  it('reports a missing build as a reason with the command that fixes it, without throwing', () => {
    const loaded = loadNativeAddon(path.join(__dirname, 'no-such-addon.node'));
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.reason).toMatch(/build:native.*libopenblas-dev/);
  });

  it('rejects sizes that would read or write out of bounds', () => {
    const loaded = loadNativeAddon();
    if (!loaded.ok) throw new Error(loaded.reason);
    const small = new Float32Array(4);
    expect(() => loaded.addon.matmul(small, small, small, 1, 4, 4, 4, false, false, 0, 0)).toThrow(
      /bad sizes/,
    );
    expect(() => loaded.addon.unary(0, new Float32Array(8), small, 0)).toThrow(/bad sizes/);
    expect(() => loaded.addon.gather(small, new Int32Array([0]), small, 1, 4, 8)).toThrow(/bad sizes/);
    expect(() => loaded.addon.softmaxXent(small, new Int32Array([9]), new Float32Array(1), 1, 4)).toThrow(
      /labels/,
    );
  });
});
