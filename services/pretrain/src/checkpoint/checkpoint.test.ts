import { readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readCheckpoint } from '@headstart/checkpoint';
import { exportWeights } from '@headstart/model';
import type { TempDir } from '@headstart/testing';
import { makeTempDir } from '@headstart/testing';
import { TINY_MODEL, tinyTraining, useTestBackend } from '../test-support/tiny-data';
import { createSession, disposeSession } from '../training/session';
import {
  listCheckpoints,
  removeTempFiles,
  rotateCheckpoints,
  writeCheckpointFile,
} from './local-checkpoints';
import { packSessionCheckpoint } from './pack-session';
import { restoreSession } from './restore-session';

let dir: TempDir;
beforeAll(async () => {
  await useTestBackend();
  dir = await makeTempDir('pretrain-checkpoint');
});
afterAll(() => dir.remove());

const meta = { runId: 'run-1', spec: { modelName: 'tiny' }, final: false, backend: 'test' };

// The format itself (tar, digests, refusals) is tested in @headstart/checkpoint; here, sessions.
describe('checkpoint bundle', () => {
  it('round-trips weights, optimizer moments, RNG states and counters exactly', async () => {
    const config = tinyTraining();
    const session = createSession(TINY_MODEL, config);
    session.counters = {
      step: 0,
      tokensSeen: 640,
      trainingMs: 1234,
      loss: 3.25,
      bestEval: { step: 0, loss: 3.5, perplexity: 33.1 },
    };
    session.rngs.data.nextUint32();
    const bundle = await packSessionCheckpoint(session, meta);
    const checkpoint = await readCheckpoint(bundle);
    expect(checkpoint.state).toMatchObject({
      runId: 'run-1',
      step: 0,
      tokensSeen: 640,
      loss: 3.25,
      final: false,
    });
    expect(checkpoint.state.rng.data).toEqual(session.rngs.data.getState());
    expect(JSON.parse(checkpoint.configJson).model_type).toBe('megatron-bert');

    const restored = restoreSession(checkpoint, config);
    try {
      const [a, b] = await Promise.all([
        exportWeights(session.model.params),
        exportWeights(restored.model.params),
      ]);
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const [name, record] of Object.entries(a)) expect(b[name]?.data).toEqual(record.data);
      expect(await restored.optimizer.exportState()).toEqual(await session.optimizer.exportState());
      expect(restored.rngs.data.nextUint32()).toBe(session.rngs.data.nextUint32());
      expect(restored.counters).toEqual(session.counters);
    } finally {
      disposeSession(restored);
      disposeSession(session);
    }
  });
});

describe('local checkpoints', () => {
  it('lists complete checkpoints only, by step, and reads them back from disk', async () => {
    const ckpts = path.join(dir.path, 'run-a');
    const session = createSession(TINY_MODEL, tinyTraining());
    const bundle = await packSessionCheckpoint(session, meta);
    disposeSession(session);
    await writeCheckpointFile(ckpts, 20, bundle);
    await writeCheckpointFile(ckpts, 100, bundle);
    // What a writer killed mid-write leaves behind:
    await writeFile(path.join(ckpts, '.tmp-step-000000120.tar.123.456'), bundle.subarray(0, 1000));
    const listed = await listCheckpoints(ckpts);
    expect(listed.map((c) => c.step)).toEqual([20, 100]);
    expect((await readCheckpoint(listed[1]?.path as string)).state.runId).toBe('run-1');
    await removeTempFiles(ckpts);
    expect((await readdir(ckpts)).sort()).toEqual(['step-000000020.tar', 'step-000000100.tar']);
    expect(await listCheckpoints(path.join(dir.path, 'absent'))).toEqual([]);
  });

  it('rotates by step number, keeping the newest N and the protected best', async () => {
    const ckpts = path.join(dir.path, 'run-b');
    for (const step of [10, 20, 30, 40, 50])
      await writeCheckpointFile(ckpts, step, Buffer.from(String(step)));
    expect(await rotateCheckpoints(ckpts, 2, [20])).toEqual([10, 30]);
    expect((await listCheckpoints(ckpts)).map((c) => c.step)).toEqual([20, 40, 50]);
    expect(await readFile(path.join(ckpts, 'step-000000050.tar'), 'utf8')).toBe('50');
  });
});
