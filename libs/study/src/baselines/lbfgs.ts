// Full-batch L-BFGS (Nocedal & Wright, algorithm 7.4: the two-loop recursion) with a backtracking
// Armijo line search. Chosen for the logistic regression baseline because it is deterministic (no
// sampling, no seed), needs no learning rate, and converges in tens of iterations on a smooth convex loss.

/** Writes the gradient at `x` into `gradient` and returns the objective there. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Curvature pairs kept; default 5 (each pair costs four passes over x per iteration). */
  readonly memory?: number;
  /** Iteration cap; default 200. */
  readonly maxIterations?: number;
  /** Stop when max |gradient| falls below this; default 1e-5 (SciPy's L-BFGS-B pgtol). */
  readonly gradientTolerance?: number;
  /** Stop when an iteration lowers f by less than this fraction of max(|f|, 1); default 1e-9. */
  readonly relativeTolerance?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  /** A tolerance was met (false: the iteration cap was hit or the line search found no decrease). */
  readonly converged: boolean;
}

/** Minimises `objective` from `start` (not modified). */
export function minimizeLbfgs(
  objective: Objective,
  start: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const maxIterations = options.maxIterations ?? 200;
  const gradientTolerance = options.gradientTolerance ?? 1e-5;
  const relativeTolerance = options.relativeTolerance ?? 1e-9;
  const history = new CurvatureHistory(options.memory ?? 5, start.length);
  // Two buffers each for x and the gradient, swapped after every accepted step: no allocation per
  // iteration (the parameter vectors are large: vocabulary × classes).
  let x = Float64Array.from(start);
  let gradient = new Float64Array(start.length);
  const trial = { x: new Float64Array(start.length), gradient: new Float64Array(start.length), value: 0 };
  let value = objective(x, gradient);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(gradient) < gradientTolerance) return { x, value, iterations: iteration, converged: true };
    const direction = history.direction(gradient);
    // The first step has no curvature yet: scale it so it moves x by at most 1 in max norm.
    const initialStep = history.size === 0 ? 1 / Math.max(1, maxAbs(gradient)) : 1;
    if (!backtrack(objective, x, value, gradient, direction, initialStep, trial)) {
      // No step lowers f: x is as good as this search gets, but no tolerance was met, so say so.
      return { x, value, iterations: iteration, converged: false };
    }
    history.push(x, trial.x, gradient, trial.gradient);
    const decrease = value - trial.value;
    [x, trial.x] = [trial.x, x];
    [gradient, trial.gradient] = [trial.gradient, gradient];
    value = trial.value;
    if (decrease <= relativeTolerance * Math.max(Math.abs(value), 1)) {
      return { x, value, iterations: iteration + 1, converged: true };
    }
  }
  return { x, value, iterations: maxIterations, converged: maxAbs(gradient) < gradientTolerance };
}

/** The last `memory` steps s = x₊ − x and gradient changes y = g₊ − g, in preallocated rings. */
class CurvatureHistory {
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  private readonly q: Float64Array;
  /** Ring index of the oldest pair. */
  private oldest = 0;
  size = 0;

  constructor(
    private readonly memory: number,
    length: number,
  ) {
    for (let p = 0; p < memory; p++) {
      this.s.push(new Float64Array(length));
      this.y.push(new Float64Array(length));
    }
    this.rho = new Float64Array(memory);
    this.alpha = new Float64Array(memory);
    this.q = new Float64Array(length);
  }

  /** Records a step, unless its curvature s·y is not positive (it would make the estimate indefinite). */
  push(x: Float64Array, nextX: Float64Array, g: Float64Array, nextG: Float64Array): void {
    const slot = (this.oldest + this.size) % this.memory;
    const s = this.s[slot]!;
    const y = this.y[slot]!;
    for (let i = 0; i < s.length; i++) {
      s[i] = nextX[i]! - x[i]!;
      y[i] = nextG[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (!(sy > 1e-12)) return;
    this.rho[slot] = 1 / sy;
    if (this.size < this.memory) this.size++;
    else this.oldest = (this.oldest + 1) % this.memory;
  }

  /** −H·g by the two-loop recursion (newest pair first, then oldest first); reuses one buffer. */
  direction(gradient: Float64Array): Float64Array {
    const q = this.q;
    q.set(gradient);
    for (let p = this.size - 1; p >= 0; p--) {
      const slot = (this.oldest + p) % this.memory;
      this.alpha[slot] = this.rho[slot]! * dot(this.s[slot]!, q);
      axpy(-this.alpha[slot]!, this.y[slot]!, q);
    }
    if (this.size > 0) {
      // Initial Hessian scale γ = s·y / y·y of the newest pair (N&W eq. 7.20): a unit step usually fits.
      const newest = (this.oldest + this.size - 1) % this.memory;
      const y = this.y[newest]!;
      scale(1 / (this.rho[newest]! * dot(y, y)), q);
    }
    for (let p = 0; p < this.size; p++) {
      const slot = (this.oldest + p) % this.memory;
      const beta = this.rho[slot]! * dot(this.y[slot]!, q);
      axpy(this.alpha[slot]! - beta, this.s[slot]!, q);
    }
    scale(-1, q);
    return q;
  }
}

/**
 * Halves the step until f decreases enough (Armijo, c = 1e-4), leaving the accepted point in `out`;
 * false when no step does (the direction is not a descent direction, or x is already at the minimum).
 */
function backtrack(
  objective: Objective,
  x: Float64Array,
  value: number,
  gradient: Float64Array,
  direction: Float64Array,
  initialStep: number,
  out: { x: Float64Array; gradient: Float64Array; value: number },
): boolean {
  const slope = dot(gradient, direction);
  if (!(slope < 0)) return false;
  for (let step = initialStep, tries = 0; tries < 40; step /= 2, tries++) {
    for (let i = 0; i < x.length; i++) out.x[i] = x[i]! + step * direction[i]!;
    out.value = objective(out.x, out.gradient);
    if (out.value <= value + 1e-4 * step * slope) return true;
  }
  return false;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** y += a·x */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

/** x *= a */
function scale(a: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}
