import { createHash, type Hash } from 'node:crypto';
import { Code, HeadstartError } from '@headstart/errors';

/** What the registry says an artifact is: its digest and size (the `info` message of a download). */
export interface ExpectedArtifact {
  sha256: string;
  size: number;
}

/**
 * Hashes and counts bytes as they arrive and checks them against what the registry announced. Any
 * mismatch is DATA_LOSS: the bytes are not the artifact that was committed.
 */
export class ArtifactVerifier {
  private readonly hash: Hash = createHash('sha256');
  private received = 0;

  /** `label` names the artifact in error messages, e.g. `bert-tiny:3`. */
  constructor(
    private readonly expected: ExpectedArtifact,
    private readonly label: string,
  ) {}

  get bytesReceived(): number {
    return this.received;
  }

  /** Adds a chunk; fails as soon as more bytes arrive than announced. */
  update(chunk: Uint8Array): void {
    this.received += chunk.length;
    if (this.received > this.expected.size) {
      throw new HeadstartError(
        Code.DATA_LOSS,
        `artifact of ${this.label} is corrupt: received more than the announced ${this.expected.size} bytes`,
        { details: { expectedSize: String(this.expected.size) } },
      );
    }
    this.hash.update(chunk);
  }

  /** Checks size and digest once every byte has arrived; returns the digest (lowercase hex). */
  verify(): string {
    if (this.received !== this.expected.size) {
      throw new HeadstartError(
        Code.DATA_LOSS,
        `artifact of ${this.label} is truncated: received ${this.received} of ${this.expected.size} bytes`,
        { details: { expectedSize: String(this.expected.size), actualSize: String(this.received) } },
      );
    }
    const actual = this.hash.digest('hex');
    if (actual !== this.expected.sha256.toLowerCase()) {
      throw new HeadstartError(
        Code.DATA_LOSS,
        `artifact of ${this.label} is corrupt: sha256 is ${actual} but the registry recorded ` +
          `${this.expected.sha256}`,
        { details: { expectedSha256: this.expected.sha256, actualSha256: actual } },
      );
    }
    return actual;
  }
}
