// Listening to an AbortSignal with a way to stop: clients (call cancellation) and servers (a stream
// ended by its caller) both need it.

/** Runs `onAbortFn` when `signal` aborts; returns the function that stops listening. */
export function onAbort(signal: AbortSignal | undefined, onAbortFn: () => void): () => void {
  if (signal === undefined) return () => undefined;
  signal.addEventListener('abort', onAbortFn, { once: true });
  return () => signal.removeEventListener('abort', onAbortFn);
}
