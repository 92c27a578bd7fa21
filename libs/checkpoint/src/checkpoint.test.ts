import { selectBackend, tf } from '@headstart/compute';
import { createAdamW, createBertModel, createRng, disposeModel, resolveConfig } from '@headstart/model';
import type { CheckpointContents } from './bundle';
import { CheckpointFormatError, packCheckpoint, readCheckpoint } from './bundle';
import { TarFormatError, packTar, unpackTar } from './tar';
import { readTarFiles } from './tar-files';

const TINY = resolveConfig({
  vocabSize: 50,
  dModel: 16,
  heads: 2,
  layers: 1,
  ff: 32,
  maxLen: 16,
  dropout: 0,
});
const meta = { runId: 'run-1', spec: { modelName: 'tiny' }, final: false, backend: 'test' };

beforeAll(async () => {
  tf.env().set('PROD', true);
  await selectBackend({ backend: 'cpu', logger: { info: () => undefined, warn: () => undefined } });
});

/** A fresh model and its zero moments, as a trainer would hand them over at step 0. */
async function freshContents(): Promise<CheckpointContents> {
  const model = createBertModel(TINY, { rng: createRng(1) });
  const optimizer = createAdamW(model.params, { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.01 });
  const state = await optimizer.exportState();
  optimizer.dispose();
  const rng = createRng(2).getState();
  return {
    model,
    optimizer: state,
    counters: { step: 0, tokensSeen: 640, loss: 3.25, trainingMs: 1234 },
    rng: { data: rng, mask: rng, dropout: rng },
    training: { totalSteps: 10, timeBudgetMs: 0 },
  };
}

describe('tar', () => {
  it('round-trips files of any size and refuses damage', () => {
    const entries = [
      { name: 'a.bin', data: Uint8Array.from({ length: 1000 }, (_, i) => i % 251) },
      { name: 'empty', data: new Uint8Array(0) },
      { name: 'b.json', data: Buffer.from('{"x":1}') },
    ];
    const tar = packTar(entries);
    expect(tar.length % 512).toBe(0);
    expect(unpackTar(tar).map((e) => [e.name, Buffer.from(e.data).toString('hex')])).toEqual(
      entries.map((e) => [e.name, Buffer.from(e.data).toString('hex')]),
    );
    expect(() => unpackTar(tar.subarray(0, 1024))).toThrow(/truncated/);
    const flipped = Buffer.from(tar);
    flipped[3] = (flipped[3] as number) ^ 1;
    expect(() => unpackTar(flipped)).toThrow(/checksum/);
  });

  it('gives safe relative paths for extraction and refuses escaping or repeated names', () => {
    const files = readTarFiles(packTar([{ name: './figures//a.svg', data: Buffer.from('<svg/>') }]));
    expect(files.map((f) => f.path)).toEqual(['figures/a.svg']);
    const escaping = packTar([{ name: '../evil', data: Buffer.from('x') }]);
    expect(() => readTarFiles(escaping)).toThrow(TarFormatError);
    const twice = packTar([
      { name: 'a.md', data: Buffer.from('a') },
      { name: './a.md', data: Buffer.from('b') },
    ]);
    expect(() => readTarFiles(twice)).toThrow(/appears twice/);
  });
});

describe('checkpoint bundle', () => {
  it('packs plain contents into a bundle that reads back checked, and equal contents to equal bytes', async () => {
    const contents = await freshContents();
    try {
      const bundle = await packCheckpoint(contents, meta);
      expect(await packCheckpoint(contents, meta)).toEqual(bundle);
      const checkpoint = await readCheckpoint(bundle);
      expect(checkpoint.state).toMatchObject({
        ...meta,
        step: 0,
        totalSteps: 10,
        tokensSeen: 640,
        loss: 3.25,
      });
      expect(checkpoint.state.rng.data).toEqual(contents.rng.data);
      expect(checkpoint.loadOptimizerState()).toEqual(contents.optimizer);
      expect(unpackTar(bundle).map((e) => e.name)).toEqual([
        'model.safetensors',
        'config.json',
        'optimizer.safetensors',
        'state.json',
      ]);
    } finally {
      disposeModel(contents.model);
    }
  });

  it('refuses a bundle whose files do not match state.json, or that is not a checkpoint', async () => {
    const contents = await freshContents();
    const bundle = await packCheckpoint(contents, meta);
    disposeModel(contents.model);
    const damaged = Buffer.from(bundle);
    damaged[600] = (damaged[600] as number) ^ 0xff; // inside model.safetensors
    await expect(readCheckpoint(damaged)).rejects.toThrow(/does not match the digest/);
    await expect(readCheckpoint(bundle.subarray(0, bundle.length - 2048))).rejects.toBeInstanceOf(
      CheckpointFormatError,
    );
    await expect(readCheckpoint(packTar([{ name: 'state.json', data: Buffer.from('{}') }]))).rejects.toThrow(
      /not a Headstart pre-training checkpoint/,
    );
  });
});
