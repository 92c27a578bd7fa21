// How tensors are handed out of a model or an optimizer as plain arrays.

export interface ExportOptions {
  /**
   * Copy each tensor's values (the default). With false, an array may be the backend's own storage
   * of a live tensor: only to be read, and only before the next update. A checkpoint writer copies
   * every tensor once into its bundle anyway, and a second copy of weights and moments was most of
   * the pre-training loop's peak memory (issue 16).
   */
  copy?: boolean;
}

/** The values as a Float32Array: the same array when allowed and already one, else a copy. */
export function float32(values: ArrayLike<number>, copy: boolean): Float32Array {
  return !copy && values instanceof Float32Array ? values : Float32Array.from(values);
}
