const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** Lowercased word tokens (letters/digits, inner apostrophes kept), for overlap checks only. */
export function overlapWords(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

// A module-level binding for the hot loops: inside Jest's vm sandbox every `Math.imul` would be a global
// lookup through the context's interceptors, which made the whole check 10x slower under test.
const imul = Math.imul;

const BASE_A = 0x9e3779b1;
const BASE_B = 0x85ebca77;

/** Two independent 32-bit hash lanes per word (FNV-1a variants), so n-gram keys can use 52 bits. */
function wordHash(word: string, lanes: Uint32Array, at: number): void {
  let a = 0x811c9dc5;
  let b = 0x5bd1e995;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    a = imul(a ^ c, 0x01000193);
    b = imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  lanes[2 * at] = a;
  lanes[2 * at + 1] = b;
}

/** base^n mod 2^32. */
function power(base: number, n: number): number {
  let result = 1;
  for (let i = 0; i < n; i++) result = imul(result, base);
  return result;
}

/**
 * Calls `visit(a, b)` with the two 32-bit hash lanes of every run of n consecutive words (never when the
 * text has fewer than n words): a polynomial rolling hash mod 2^32 per lane, O(1) per window.
 */
export function forEachNgram(text: string, n: number, visit: (a: number, b: number) => void): void {
  const words = overlapWords(text);
  if (words.length < n) return;
  const lanes = new Uint32Array(words.length * 2);
  words.forEach((word, i) => wordHash(word, lanes, i));
  const dropA = power(BASE_A, n);
  const dropB = power(BASE_B, n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < words.length; i++) {
    a = (imul(a, BASE_A) + (lanes[2 * i] ?? 0)) | 0;
    b = (imul(b, BASE_B) + (lanes[2 * i + 1] ?? 0)) | 0;
    if (i >= n) {
      a = (a - imul(lanes[2 * (i - n)] ?? 0, dropA)) | 0;
      b = (b - imul(lanes[2 * (i - n) + 1] ?? 0, dropB)) | 0;
    }
    if (i >= n - 1) visit(a >>> 0, b >>> 0);
  }
}

/** 52-bit keys of every run of n consecutive words, in order (for inspection and tests). */
export function ngramKeys(text: string, n: number): number[] {
  const keys: number[] = [];
  forEachNgram(text, n, (a, b) => keys.push(a * 0x100000 + (b >>> 12)));
  return keys;
}

/**
 * Word n-gram overlap between a protected set of texts (a labelled task) and candidate texts (a
 * pre-training corpus): the contamination check of the GPT-3 paper, on 13-grams by default. A candidate
 * sharing any n-gram with a protected text contains a verbatim passage of it. Keys live in an
 * open-addressing table of 64-bit (two-lane) hashes in typed arrays: a JS Set of millions of non-Smi
 * numbers is several times slower and larger.
 */
export class NgramIndex {
  private lanesA = new Uint32Array(1 << 16);
  private lanesB = new Uint32Array(1 << 16);
  private used = new Uint8Array(1 << 16);
  private count = 0;

  constructor(readonly n = 13) {}

  add(text: string): void {
    forEachNgram(text, this.n, (a, b) => this.insert(a, b));
  }

  get size(): number {
    return this.count;
  }

  /** How many of the text's n-grams are in the index. */
  sharedNgrams(text: string): number {
    let shared = 0;
    forEachNgram(text, this.n, (a, b) => {
      if (this.find(a, b) >= 0) shared++;
    });
    return shared;
  }

  private find(a: number, b: number): number {
    const mask = this.used.length - 1;
    for (let slot = mix(a, b) & mask; this.used[slot] === 1; slot = (slot + 1) & mask) {
      if (this.lanesA[slot] === a && this.lanesB[slot] === b) return slot;
    }
    return -1;
  }

  private insert(a: number, b: number): void {
    if ((this.count + 1) * 2 > this.used.length) this.grow();
    const mask = this.used.length - 1;
    let slot = mix(a, b) & mask;
    for (; this.used[slot] === 1; slot = (slot + 1) & mask) {
      if (this.lanesA[slot] === a && this.lanesB[slot] === b) return;
    }
    this.used[slot] = 1;
    this.lanesA[slot] = a;
    this.lanesB[slot] = b;
    this.count++;
  }

  private grow(): void {
    const { lanesA, lanesB, used } = this;
    this.lanesA = new Uint32Array(used.length * 2);
    this.lanesB = new Uint32Array(used.length * 2);
    this.used = new Uint8Array(used.length * 2);
    this.count = 0;
    for (let slot = 0; slot < used.length; slot++) {
      if (used[slot] === 1) this.insert(lanesA[slot] ?? 0, lanesB[slot] ?? 0);
    }
  }
}

function mix(a: number, b: number): number {
  return (imul(a ^ (b >>> 16), 0x45d9f3b) ^ b) >>> 0;
}
