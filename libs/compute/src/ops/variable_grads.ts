// tf.variableGrads with memory released during the backward pass. TF.js's own backprop (engine.gradients)
// keeps every tensor the forward pass saved and every intermediate gradient until the whole backward pass
// ends: a config-B training step peaked at 457 MB of live kernel buffers, half of them gradients already
// consumed and activations no longer needed. This driver walks the same tape in the same order with the
// same gradient functions, but disposes a node's saved tensors and its outputs' gradients as soon as the
// node is done (in reverse tape order no later node can need them), so freed buffers are reused at once.
// It relies on tfjs-core 4.22's engine internals (startTape/endTape/state.activeTape), as engine.gradients
// does; variable_grads.test.ts checks it against tf.variableGrads.
import type { NamedTensorMap } from '@tensorflow/tfjs-core';
import { tf } from '../tf';

type Tensor = tf.Tensor;

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: NamedTensorMap;
  outputs: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>;
  saved?: Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T>(name: string, f: () => T): T;
}

/** The nodes on a path from one of `xs` to `y`, inputs pruned to those depending on `xs` (tfjs's rule). */
function nodesFromXToY(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      node.outputs.forEach((o) => fromX.add(o.id));
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((o) => toY.has(o.id))) {
      Object.values(node.inputs).forEach((t) => toY.add(t.id));
      nodesToY.add(node.id);
    }
  }
  return tape
    .filter((n) => nodesFromX.has(n.id) && nodesToY.has(n.id))
    .map((n) => {
      const inputs: NamedTensorMap = {};
      for (const [name, t] of Object.entries(n.inputs)) if (fromX.has(t.id)) inputs[name] = t;
      return { ...n, inputs };
    });
}

/**
 * Kernels whose gradient reads only the first output's dy: their other outputs exist for the backward
 * pass (the attention probabilities), and nothing downstream gives them a gradient. TF.js fills a missing
 * dy with a fresh zero array of the output's size: for attention, 8 MB a layer a step, outside the buffer
 * pool, which made V8 run a full GC every step (in the main job's large heap, 18% of the CPU).
 */
const FIRST_OUTPUT_GRADIENT = new Set<string>();

/** Declares that `kernelName`'s gradient function reads only `dys[0]` (see FIRST_OUTPUT_GRADIENT). */
export function gradientReadsFirstOutputOnly(kernelName: string): void {
  FIRST_OUTPUT_GRADIENT.add(kernelName);
}

/** The dy of each output: its gradient, or null (TF.js's zeros), or `unread()`, a scalar no gradient reads. */
function outputGradients(
  node: TapeNode,
  grads: Map<number, Tensor>,
  unread: () => Tensor,
): (Tensor | null)[] {
  const firstOnly = FIRST_OUTPUT_GRADIENT.has(node.kernelName);
  return node.outputs.map((o, i) => {
    const dy = grads.get(o.id);
    if (dy !== undefined || i === 0 || !firstOnly) return dy ?? null;
    return unread();
  });
}

/** One node's backward step: adds its inputs' gradients into `grads`. */
function backpropNode(
  engine: EngineInternals,
  node: TapeNode,
  grads: Map<number, Tensor>,
  unread: () => Tensor,
): void {
  if (!node.gradient)
    throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
  const dys = outputGradients(node, grads, unread);
  const inputGradients = node.gradient(dys);
  for (const [name, x] of Object.entries(node.inputs)) {
    const gradFn = inputGradients[name];
    if (!gradFn) throw new Error(`Cannot backprop through input ${name} of ${node.kernelName}.`);
    let dx = engine.tidy(name, gradFn);
    // A gradient function may pass dy itself through; dy is disposed after this node, so hold a clone.
    if (dys.includes(dx)) dx = tf.clone(dx);
    if (!tf.util.arraysEqual(dx.shape, x.shape)) {
      throw new Error(
        `${node.kernelName}: gradient of '${name}' has shape ${dx.shape}, input has ${x.shape}`,
      );
    }
    const previous = grads.get(x.id);
    grads.set(x.id, previous ? tf.add(previous, dx) : dx);
    if (previous) {
      previous.dispose();
      dx.dispose();
    }
  }
}

/** Backprop from y (dy = 1) to xs, releasing what each node no longer needs; returns the grads of xs. */
function backprop(
  engine: EngineInternals,
  tape: TapeNode[],
  xs: Tensor[],
  y: Tensor,
): (Tensor | undefined)[] {
  const keep = new Set(xs.map((x) => x.id));
  const grads = new Map<number, Tensor>([[y.id, tf.onesLike(y)]]);
  let unreadDy: Tensor | undefined;
  const unread = () => (unreadDy ??= tf.scalar(0));
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    backpropNode(engine, node, grads, unread);
    // Every consumer of these outputs came later on the tape and is done: their gradients and what the
    // node saved for its own gradient are dead now.
    for (const o of node.outputs) {
      const g = grads.get(o.id);
      if (g && !keep.has(o.id)) {
        g.dispose();
        grads.delete(o.id);
      }
    }
    node.saved?.forEach((t) => t.dispose());
  }
  unreadDy?.dispose();
  return xs.map((x) => grads.get(x.id));
}

/**
 * tf.variableGrads(f, varList) with memory released during the backward pass (see above): the value of f
 * and the gradient of every variable f depends on, keyed by variable name.
 */
export function variableGrads(
  f: () => tf.Scalar,
  varList: tf.Variable[],
): { value: tf.Scalar; grads: Record<string, Tensor> } {
  const engine = tf.engine() as unknown as EngineInternals;
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error('variableGrads: f must return a scalar');
  const tape = nodesFromXToY(engine.state.activeTape ?? [], varList, y);
  return engine.tidy('backward', () => {
    const dxs = backprop(engine, tape, varList, y);
    if (engine.state.gradientDepth === 0) {
      engine.state.activeTape?.forEach((node) => node.saved?.forEach((t) => t.dispose()));
      engine.state.activeTape = null;
    }
    const grads: Record<string, Tensor> = {};
    varList.forEach((v, i) => {
      const g = dxs[i];
      if (g) grads[v.name] = g;
    });
    return { value: y, grads };
  });
}
