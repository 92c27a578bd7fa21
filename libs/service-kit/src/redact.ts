// Secrets never reach a log line: fields named like credentials are censored wherever they sit (pino's
// redact paths, two levels deep), and a `Bearer <token>` inside a message or an error is masked.

export const REDACTED = '[redacted]';

const SECRET_FIELDS = ['authorization', 'token', 'password', 'secret', 'apiKey', 'cookie'];

/** pino redact paths: the secret fields at the top, one and two levels down, and in metadata/headers. */
export const REDACT_PATHS: string[] = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `metadata.${field}`,
  `headers.${field}`,
]);

const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;

/** The text with every `Bearer <token>` masked. */
export function scrubText(text: string): string {
  return /bearer/i.test(text) ? text.replace(BEARER, `$1 ${REDACTED}`) : text;
}

/** A log call's arguments with their strings scrubbed (messages and format arguments). */
export function scrubArgs(args: unknown[]): unknown[] {
  return args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg));
}

/** An error serializer's output with its message and stack scrubbed. */
export function scrubError<E extends { message?: unknown; stack?: unknown }>(serialized: E): E {
  const out = { ...serialized };
  if (typeof out.message === 'string') out.message = scrubText(out.message);
  if (typeof out.stack === 'string') out.stack = scrubText(out.stack);
  return out;
}
