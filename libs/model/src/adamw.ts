// AdamW (Loshchilov & Hutter) with decoupled weight decay, written out so its state can be checkpointed
// (TF.js optimizers cannot export their slots, tfjs#5138). The update is PyTorch's torch.optim.AdamW:
//   p ← p·(1 − lr·λ)                       (only for decayed parameters)
//   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
// Each parameter's update is @headstart/compute's fused adamwUpdate (one native kernel on 'headstart-cpu'
// instead of ~12 elementwise ones, each a pass over the parameter).
import { adamwUpdate } from '@headstart/compute';
import * as tf from '@tensorflow/tfjs-core';
import type { ExportOptions } from './export-options';
import { float32 } from './export-options';
import type { ParamMap } from './params';

export interface AdamWOptions {
  /** @default 0.9 */
  beta1?: number;
  /** @default 0.999 */
  beta2?: number;
  /** @default 1e-8 */
  epsilon?: number;
  /** Decoupled weight decay λ. @default 0.01 */
  weightDecay?: number;
  /**
   * Which parameters are decayed. @default rank ≥ 2: weight matrices and embeddings are, biases and
   * LayerNorm gains/offsets are not (nanoGPT's rule; equals HF's no_decay = [bias, LayerNorm.weight]).
   */
  shouldDecay?: (name: string, variable: tf.Variable) => boolean;
  /**
   * Multiplier of the learning rate per parameter, e.g. smaller steps for lower layers (ULMFiT's
   * discriminative fine-tuning, layer-wise decay); 0 freezes a parameter. @default 1 for every parameter
   */
  lrScale?: (name: string) => number;
}

/** Plain-array optimizer state, for checkpoints. */
export interface AdamWState {
  /** Updates applied so far (t in the bias corrections). */
  step: number;
  moments: Record<string, { shape: number[]; m: Float32Array; v: Float32Array }>;
}

export interface AdamW {
  /** Updates applied so far. */
  readonly step: number;
  /**
   * Applies one update with learning rate `lr`, each gradient multiplied by `gradScale` first (clipping:
   * see clipScale; default 1). Does not dispose `grads`.
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number, gradScale?: number): void;
  /**
   * The moments and the update count. With `{ copy: false }` the moments may be the backend's own
   * storage of the live tensors: read them only, before the next update (a checkpoint writer that
   * copies them straight into its bundle then holds no second copy of them).
   */
  exportState(options?: ExportOptions): Promise<AdamWState>;
  importState(state: AdamWState): void;
  dispose(): void;
}

interface Slot {
  variable: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  decay: boolean;
  lrScale: number;
}

function checkOptions(o: Required<AdamWOptions>): void {
  for (const [name, value] of [
    ['beta1', o.beta1],
    ['beta2', o.beta2],
  ] as const) {
    if (!(value >= 0 && value < 1)) throw new RangeError(`${name} must be in [0, 1), got ${value}`);
  }
  if (!(o.epsilon > 0 && Number.isFinite(o.epsilon)))
    throw new RangeError(`epsilon must be > 0, got ${o.epsilon}`);
  if (!(o.weightDecay >= 0 && Number.isFinite(o.weightDecay))) {
    throw new RangeError(`weightDecay must be ≥ 0, got ${o.weightDecay}`);
  }
}

function checkedScale(name: string, scale: number): number {
  if (!(scale >= 0 && Number.isFinite(scale)))
    throw new RangeError(`lrScale of ${name} must be finite and ≥ 0, got ${scale}`);
  return scale;
}

/** An AdamW over `params`; moments start at zero (created now, so tensor counts stay flat from step 1). */
export function createAdamW(params: ParamMap, options: AdamWOptions = {}): AdamW {
  const o: Required<AdamWOptions> = {
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-8,
    weightDecay: options.weightDecay ?? 0.01,
    shouldDecay: options.shouldDecay ?? ((_name, variable) => variable.rank >= 2),
    lrScale: options.lrScale ?? (() => 1),
  };
  checkOptions(o);
  const slots = new Map<string, Slot>();
  for (const [name, variable] of params) {
    slots.set(name, {
      variable,
      m: tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
      v: tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
      decay: o.shouldDecay(name, variable),
      lrScale: checkedScale(name, o.lrScale(name)),
    });
  }
  let step = 0;

  function slotFor(name: string, shape: number[]): Slot {
    const slot = slots.get(name);
    if (!slot) throw new Error(`AdamW has no parameter named ${name}`);
    if (!tf.util.arraysEqual(slot.variable.shape, shape)) {
      throw new Error(`${name}: gradient shape [${shape}] does not match parameter [${slot.variable.shape}]`);
    }
    return slot;
  }

  function apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number, gradScale = 1): void {
    if (!(lr >= 0 && Number.isFinite(lr)))
      throw new RangeError(`learning rate must be finite and ≥ 0, got ${lr}`);
    if (!(gradScale >= 0 && Number.isFinite(gradScale)))
      throw new RangeError(`gradient scale must be finite and ≥ 0, got ${gradScale}`);
    const updates = [...grads].map(([name, grad]) => ({ slot: slotFor(name, grad.shape), grad }));
    step += 1;
    for (const { slot, grad } of updates) {
      // One fused update per parameter (a single native kernel on 'headstart-cpu'): new tensors for the
      // parameter and both moments, which the variables then hold (assign takes over their data).
      const next = adamwUpdate(slot.variable, grad, slot.m, slot.v, {
        lr: lr * slot.lrScale,
        beta1: o.beta1,
        beta2: o.beta2,
        epsilon: o.epsilon,
        weightDecay: slot.decay ? o.weightDecay : 0,
        step,
        gradScale,
      });
      slot.variable.assign(next.param);
      slot.m.assign(next.m);
      slot.v.assign(next.v);
      tf.dispose([next.param, next.m, next.v]);
    }
  }

  async function exportState({ copy = true }: ExportOptions = {}): Promise<AdamWState> {
    const moments: AdamWState['moments'] = {};
    for (const [name, slot] of slots) {
      // Copies by default: a backend may hand out its own buffer, which a caller must not write into.
      const [m, v] = await Promise.all([slot.m.data(), slot.v.data()]);
      moments[name] = { shape: [...slot.m.shape], m: float32(m, copy), v: float32(v, copy) };
    }
    return { step, moments };
  }

  function importState(state: AdamWState): void {
    if (!Number.isSafeInteger(state.step) || state.step < 0)
      throw new RangeError(`bad AdamW step ${state.step}`);
    const names = Object.keys(state.moments);
    const missing = [...slots.keys()].filter((n) => !(n in state.moments));
    const unknown = names.filter((n) => !slots.has(n));
    if (missing.length > 0 || unknown.length > 0) {
      throw new Error(
        `AdamW state does not match the parameters: missing [${missing}], unknown [${unknown}]`,
      );
    }
    for (const name of names) {
      const { shape, m, v } = state.moments[name] as AdamWState['moments'][string];
      const slot = slotFor(name, shape);
      if (m.length !== slot.variable.size || v.length !== slot.variable.size) {
        throw new Error(
          `${name}: AdamW moments have ${m.length}/${v.length} values, expected ${slot.variable.size}`,
        );
      }
    }
    for (const name of names) {
      const { shape, m, v } = state.moments[name] as AdamWState['moments'][string];
      const slot = slots.get(name) as Slot;
      tf.tidy(() => {
        slot.m.assign(tf.tensor(m, shape, 'float32'));
        slot.v.assign(tf.tensor(v, shape, 'float32'));
      });
    }
    step = state.step;
  }

  return {
    get step() {
      return step;
    },
    apply,
    exportState,
    importState,
    dispose: () => {
      for (const slot of slots.values()) {
        slot.m.dispose();
        slot.v.dispose();
      }
      slots.clear();
    },
  };
}
