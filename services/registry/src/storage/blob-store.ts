/** A stored artifact, named by its content. */
export interface BlobInfo {
  /** Lowercase hex sha256 of the bytes. */
  sha256: string;
  size: number;
}

/**
 * Receives one artifact. Bytes go to a temporary place first; nothing is visible under a digest until
 * {@link BlobWriter.commit}. Either `commit` or `abort` must be called (abort is safe at any time and
 * idempotent, so callers put it in a `finally`).
 */
export interface BlobWriter {
  /** Appends bytes; resolves when the storage accepted them, so awaiting it applies backpressure. */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /** Makes the bytes durable (still temporary) and returns their digest and size. */
  finish(): Promise<BlobInfo>;
  /** Moves the finished bytes under their digest; a blob already there with the same content is kept. */
  commit(): Promise<BlobInfo>;
  /** Discards temporary bytes. After a commit it does nothing. */
  abort(): Promise<void>;
}

export interface ReadBlobOptions {
  /** Size of the chunks yielded (the last one may be shorter). */
  chunkBytes: number;
}

/**
 * Content-addressed artifact storage. The embedded implementation is a directory
 * ({@link FsBlobStore}); an S3 implementation would map digests to object keys and use multipart
 * uploads for writers.
 */
export interface BlobStore {
  createWriter(): Promise<BlobWriter>;
  /** Size of a stored blob, or undefined when it does not exist. */
  stat(sha256: string): Promise<BlobInfo | undefined>;
  /**
   * Yields a blob's bytes, checking them against the digest on the way: when the bytes (or their
   * count) no longer match, the iteration throws DATA_LOSS after the last chunk. A missing blob is
   * DATA_LOSS too, since a blob is only read for a version that references it.
   */
  read(sha256: string, options: ReadBlobOptions): AsyncIterable<Buffer>;
  /** Removes a blob; false when it was not there. */
  delete(sha256: string): Promise<boolean>;
  /** Every stored digest (order unspecified), for the orphan sweep. */
  list(): AsyncIterable<string>;
  /** Removes leftovers of uploads interrupted by a crash. Only safe while no upload is running. */
  removeTemporaryFiles(): Promise<number>;
}
