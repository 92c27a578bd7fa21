// TRACEPARENT (and TRACESTATE) from the environment, sent as W3C trace context on every call the command
// makes: the commands a user runs one after another (upload, tokenize, pre-train…) then join one trace
// in the stack `headstart up --otel console|otlp` exports, as the spans of one process would. The CLI
// itself starts no telemetry: it only passes the context on.
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The W3C headers for TRACEPARENT / TRACESTATE, or undefined when TRACEPARENT is unset or malformed. */
export function traceContextFromEnv(env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const traceparent = env['TRACEPARENT']?.trim().toLowerCase();
  // A malformed value is ignored, as W3C trace context asks of a receiver.
  if (traceparent === undefined || !TRACEPARENT.test(traceparent)) return undefined;
  if (/^ff-|-0{32}-|-0{16}-/.test(traceparent)) return undefined;
  const tracestate = env['TRACESTATE']?.trim();
  return { traceparent, ...(tracestate ? { tracestate } : {}) };
}

/** A client interceptor adding `headers` to each call's metadata unless the call already carries them. */
export function traceContextInterceptor(headers: Readonly<Record<string, string>>): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        if (metadata.get('traceparent').length === 0) {
          for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
        }
        next(metadata, listener);
      },
    });
}
