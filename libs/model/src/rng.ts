// A seeded random number generator we own, because tf.randomNormal's seeding differs across backends and
// exact resume needs the generator's state in the checkpoint. xoshiro128** (Blackman & Vigna): four 32-bit
// words of state, 32-bit integer ops only (fast in JS via Math.imul), period 2^128 − 1.

/** The whole generator state; JSON-serialisable, so it can go into a checkpoint. */
export interface RngState {
  algorithm: 'xoshiro128**';
  /** The four state words as unsigned 32-bit integers. */
  words: [number, number, number, number];
}

export interface Rng {
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number;
  /** Standard normal sample (Box–Muller; the second value of the pair is discarded so the state stays 4 words). */
  nextNormal(): number;
  /** Fills `out` with N(0, std²) samples, using both values of each Box–Muller pair. */
  fillNormal(out: Float32Array, std: number): Float32Array;
  /** Fills `out` with N(0, std²) samples redrawn until they fall within ±2·std (BERT's truncated normal). */
  fillTruncatedNormal(out: Float32Array, std: number): Float32Array;
  /** Fills `out` with uniform floats in [0, 1). */
  fillUniform(out: Float32Array): Float32Array;
  /**
   * Fills `out` with `value` where a uniform draw is < p and 0 elsewhere (a dropout mask with p = keep,
   * value = 1/keep). Consumes and compares exactly the draws fillUniform would make, only faster.
   */
  fillBernoulli(out: Float32Array, p: number, value: number): Float32Array;
  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[];
  getState(): RngState;
  setState(state: RngState): void;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;

/** splitmix32: spreads a seed over the state so that nearby seeds give unrelated streams. */
function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function seedWords(seed: number): [number, number, number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  }
  // Fold both halves of a 53-bit seed in, so seeds ≥ 2^32 do not collide with small ones.
  const mix = splitmix32((seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32), 0x27d4eb2d));
  const words: [number, number, number, number] = [mix(), mix(), mix(), mix()];
  if (words.every((w) => w === 0)) words[0] = 1;
  return words;
}

function checkState(state: RngState): [number, number, number, number] {
  const words = state?.words;
  if (state?.algorithm !== 'xoshiro128**' || !Array.isArray(words) || words.length !== 4) {
    throw new TypeError('not an xoshiro128** RNG state');
  }
  if (!words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
    throw new RangeError('RNG state words must be unsigned 32-bit integers');
  }
  if (words.every((w) => w === 0)) throw new RangeError('the all-zero RNG state is invalid');
  return [words[0], words[1], words[2], words[3]];
}

/** Creates a deterministic generator: the same seed always yields the same stream, on every platform. */
export function createRng(seed: number): Rng {
  let [s0, s1, s2, s3] = seedWords(seed);

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  }

  function nextFloat(): number {
    const high = nextUint32() >>> 5; // 27 bits
    const low = nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) * TWO_POW_MINUS_53;
  }

  function nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) throw new RangeError(`bad range ${n}`);
    // Rejection sampling: draw again when the value falls in the incomplete last block.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = nextUint32();
      if (x < limit) return x % n;
    }
  }

  function normalPair(): [number, number] {
    const u1 = 1 - nextFloat(); // (0, 1], so log is finite
    const u2 = nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    return [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)];
  }

  function fillNormal(out: Float32Array, std: number): Float32Array {
    for (let i = 0; i < out.length; i += 2) {
      const [a, b] = normalPair();
      out[i] = a * std;
      if (i + 1 < out.length) out[i + 1] = b * std;
    }
    return out;
  }

  function fillTruncatedNormal(out: Float32Array, std: number): Float32Array {
    let i = 0;
    while (i < out.length) {
      for (const z of normalPair()) {
        if (Math.abs(z) <= 2 && i < out.length) out[i++] = z * std;
      }
    }
    return out;
  }

  function fillUniform(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = (nextUint32() >>> 8) / 16777216;
    return out;
  }

  // nextUint32 inlined over local copies of the state: closure variables are context slots that V8
  // reloads and stores on every draw, which made dropout masks (millions of draws a step) 3× slower.
  function fillBernoulli(out: Float32Array, p: number, value: number): Float32Array {
    // (u >>> 8) / 2^24 < p  ⟺  (u >>> 8) < p · 2^24 (exact: scaling by a power of two).
    const threshold = p * 16777216;
    let a = s0 | 0;
    let b = s1 | 0;
    let c = s2 | 0;
    let d = s3 | 0;
    for (let i = 0; i < out.length; i++) {
      const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      out[i] = result >>> 8 < threshold ? value : 0;
    }
    s0 = a;
    s1 = b;
    s2 = c;
    s3 = d;
    return out;
  }

  function shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = nextInt(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  return {
    nextUint32,
    nextFloat,
    nextInt,
    nextNormal: () => normalPair()[0],
    fillNormal,
    fillTruncatedNormal,
    fillUniform,
    fillBernoulli,
    shuffle,
    getState: () => ({ algorithm: 'xoshiro128**', words: [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0] }),
    setState: (state) => {
      [s0, s1, s2, s3] = checkState(state);
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
