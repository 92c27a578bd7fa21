import { createHash } from 'node:crypto';

/**
 * An independent seed per purpose (head init, data order of each epoch, dropout) from the job's seed,
 * so that changing how one stream is used never shifts another.
 */
export function deriveSeed(seed: number, purpose: string): number {
  return createHash('sha256').update(`${seed}:${purpose}`).digest().readUIntBE(0, 6);
}
