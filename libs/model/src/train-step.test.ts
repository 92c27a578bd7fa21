import * as tf from '@tensorflow/tfjs-core';
import { createAdamW } from './adamw';
import { clipByGlobalNorm, clipScale, globalNorm } from './clip';
import { accumulateGradients } from './gradients';
import type { MlmBatch } from './mlm';
import { mlmLoss } from './mlm';
import { createBertModel, disposeModel } from './model';
import { createRng } from './rng';
import { getLr } from './schedule';
import { classificationTrainStep, mlmTrainStep } from './train-step';
import { TINY, makeMlmBatch, describeOnBackends } from './tiny-model.fixture';

/** Splits a batch's rows into two micro-batches, re-basing the flat masked positions. */
function splitRows(batch: MlmBatch, rows: number): [MlmBatch, MlmBatch] {
  const part = (from: number, to: number): MlmBatch => {
    const S = batch.seqLen;
    const keep = [...batch.maskedPositions.keys()].filter((i) => {
      const p = batch.maskedPositions[i] as number;
      return p >= from * S && p < to * S;
    });
    return {
      inputIds: batch.inputIds.slice(from * S, to * S),
      attentionMask: Int32Array.from(batch.attentionMask as ArrayLike<number>).slice(from * S, to * S),
      batchSize: to - from,
      seqLen: S,
      maskedPositions: Int32Array.from(keep, (i) => (batch.maskedPositions[i] as number) - from * S),
      maskedLabels: Int32Array.from(keep, (i) => batch.maskedLabels[i] as number),
    };
  };
  return [part(0, rows), part(rows, batch.batchSize)];
}

describeOnBackends('training step', () => {
  it('overfits a fixed batch with AdamW, warmup and clipping', async () => {
    const model = createBertModel(TINY, { seed: 1 });
    const optimizer = createAdamW(model.params, { weightDecay: 0.01 });
    const batch = makeMlmBatch(createRng(2), 4, 8, TINY.vocabSize);
    const rng = createRng(3);
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      const lr = getLr(step, { peak: 3e-2, warmupSteps: 3, totalSteps: 40, minLr: 3e-3 });
      const { loss, gradNorm } = await mlmTrainStep(model, optimizer, [batch], { lr, maxGradNorm: 1, rng });
      expect(Number.isFinite(gradNorm) && gradNorm > 0).toBe(true);
      losses.push(loss);
    }
    expect(losses[0]).toBeGreaterThan(3.5); // ≈ ln 50
    expect(losses.at(-1)).toBeLessThan(0.5);
    optimizer.dispose();
    disposeModel(model);
  });

  it('keeps tf.memory().numTensors constant across steps', async () => {
    const model = createBertModel({ ...TINY, dropout: 0.1 }, { seed: 1, numLabels: 2 });
    const optimizer = createAdamW(model.params);
    const rng = createRng(4);
    const batches = [makeMlmBatch(rng, 2, 8, TINY.vocabSize), makeMlmBatch(rng, 3, 8, TINY.vocabSize)];
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      await mlmTrainStep(model, optimizer, batches, { lr: 1e-3, rng });
      await classificationTrainStep(
        model,
        optimizer,
        [{ ...(batches[0] as MlmBatch), labels: Int32Array.from([0, 1]) }],
        { lr: 1e-3, rng },
      );
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    optimizer.dispose();
    disposeModel(model);
  });

  it('accumulates micro-batches into exactly the full-batch gradient (mean over all masked tokens)', async () => {
    const model = createBertModel(TINY, { seed: 5 });
    const batch = makeMlmBatch(createRng(6), 4, 8, TINY.vocabSize, 2, 0.3);
    const [a, b] = splitRows(batch, 1);
    expect(a.maskedLabels.length).not.toBe(b.maskedLabels.length); // uneven, so the scaling matters
    const sum = (x: MlmBatch) => mlmLoss(model, x, { reduction: 'sum' });
    const count = (x: MlmBatch) => x.maskedLabels.length;
    const full = await accumulateGradients(model.params, [batch], sum, count);
    const split = await accumulateGradients(model.params, [a, b], sum, count);
    expect(split.loss).toBeCloseTo(full.loss, 5);
    for (const [name, g] of full.grads) {
      const diff = tf.tidy(
        () => tf.max(tf.abs(tf.sub(g, split.grads.get(name) as tf.Tensor))).dataSync()[0] as number,
      );
      expect(diff).toBeLessThan(1e-6);
    }
    // The mean of per-micro-batch means is a different (wrong) quantity here.
    const meanA = await accumulateGradients(model.params, [a], sum, count);
    const meanB = await accumulateGradients(model.params, [b], sum, count);
    expect(Math.abs((meanA.loss + meanB.loss) / 2 - full.loss)).toBeGreaterThan(1e-3);
    [full, split, meanA, meanB].forEach((r) => r.grads.forEach((t) => t.dispose()));
    disposeModel(model);
  });

  it('clips by global norm like torch.nn.utils.clip_grad_norm_', () => {
    const grads = new Map<string, tf.Tensor>([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor2d([[0, 4]])],
    ]);
    const norm = globalNorm(grads);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    norm.dispose();
    const clipped = clipByGlobalNorm(grads, 1);
    expect(clipped.norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect([...clipped.grads.get('a')!.dataSync()]).toEqual([expect.closeTo(0.6, 6), 0]);
    expect([...clipped.grads.get('b')!.dataSync()]).toEqual([0, expect.closeTo(0.8, 6)]);
    const unclipped = clipByGlobalNorm(clipped.grads, 10);
    expect([...unclipped.grads.get('a')!.dataSync()]).toEqual([expect.closeTo(0.6, 6), 0]);
    [clipped.norm, unclipped.norm, ...unclipped.grads.values()].forEach((t) => t.dispose());
  });

  // mlmTrainStep passes the clipping factor to AdamW instead of making clipped copies: the update must
  // be the one on clipByGlobalNorm's copies, to the bit.
  it('AdamW with gradScale = clipScale equals AdamW on the clipped gradients', async () => {
    const shapes: Record<string, number[]> = { w: [7, 5], b: [5] };
    const results: Float32Array[][] = [];
    for (const viaScale of [false, true]) {
      const params = new Map(
        Object.entries(shapes).map(([n, s], i) => [
          n,
          tf.variable(tf.randomNormal(s, 0, 1, 'float32', i + 1)),
        ]),
      );
      const grads = new Map(
        Object.entries(shapes).map(([n, s], i) => [n, tf.randomNormal(s, 0, 3, 'float32', i + 7)]),
      );
      const optimizer = createAdamW(params, { weightDecay: 0.01 });
      if (viaScale) {
        const norm = globalNorm(grads);
        optimizer.apply(grads, 0.1, clipScale((await norm.data())[0] as number, 1));
        [norm, ...grads.values()].forEach((t) => t.dispose());
      } else {
        const clipped = clipByGlobalNorm(grads, 1);
        optimizer.apply(clipped.grads, 0.1);
        [clipped.norm, ...clipped.grads.values()].forEach((t) => t.dispose());
      }
      results.push([...params.values()].map((p) => Float32Array.from(p.dataSync())));
      optimizer.dispose();
      params.forEach((p) => p.dispose());
    }
    expect(results[1]).toEqual(results[0]);
  });
});
