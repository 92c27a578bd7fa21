// The safety net under every status a server sends: whatever a handler put in an error (a client's
// 300,000-character name echoed back, a huge detail), the status message and the detail metadata stay
// small. gRPC sends both as HTTP/2 trailers, and trailers over the peer's header-list limit (8 KiB in
// grpc-js clients) are dropped with the whole status: the client then hears nothing until its deadline.

/** Largest status message, in UTF-8 bytes (grpc-js percent-encodes it: at most 3 KiB on the wire). */
export const MAX_STATUS_MESSAGE_BYTES = 1024;
/** Largest value of one detail, in UTF-8 bytes. */
export const MAX_DETAIL_VALUE_BYTES = 256;
/** Longest detail key, in UTF-8 bytes. */
export const MAX_DETAIL_KEY_BYTES = 64;
/** Budget of all details together, in bytes as they travel (escaped keys, percent-encoded values). */
export const MAX_DETAILS_WIRE_BYTES = 2048;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `text` as is when it fits in `maxBytes` UTF-8 bytes; otherwise its longest prefix that fits with a
 * note of the original length, e.g. `model_name "aaaa… [cut from 300120 characters]`. Lone surrogates
 * become U+FFFD: grpc-js's `encodeURI` throws on them, which would lose the status altogether.
 */
export function boundText(text: string, maxBytes: number): string {
  const wellFormed = text.replace(LONE_SURROGATE, '\ufffd');
  if (Buffer.byteLength(wellFormed) <= maxBytes) return wellFormed;
  const note = `… [cut from ${text.length} characters]`;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(note));
  let end = Math.min(wellFormed.length, budget);
  for (;;) {
    const over = Buffer.byteLength(wellFormed.slice(0, end)) - budget;
    if (over <= 0) break;
    // A character takes at most 3 UTF-8 bytes per UTF-16 unit, so this never cuts more than needed by much.
    end -= Math.max(1, Math.floor(over / 3));
  }
  // Never split a surrogate pair: its first half alone is not well-formed.
  const last = wellFormed.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return wellFormed.slice(0, end) + note;
}

/** A status message bounded to {@link MAX_STATUS_MESSAGE_BYTES}. */
export function boundStatusMessage(message: string): string {
  return boundText(message, MAX_STATUS_MESSAGE_BYTES);
}

/**
 * Details bounded entry by entry (keys to {@link MAX_DETAIL_KEY_BYTES}, values to
 * {@link MAX_DETAIL_VALUE_BYTES}) and together to {@link MAX_DETAILS_WIRE_BYTES}: entries that do not
 * fit any more are left out, in insertion order. `wireSize` is the size of one entry as sent.
 */
export function boundDetails(
  details: Record<string, string>,
  wireSize: (key: string, value: string) => number,
): Record<string, string> {
  const bounded: Record<string, string> = {};
  let total = 0;
  for (const [key, value] of Object.entries(details)) {
    const k = boundText(key, MAX_DETAIL_KEY_BYTES);
    const v = boundText(value, MAX_DETAIL_VALUE_BYTES);
    const size = wireSize(k, v);
    if (total + size > MAX_DETAILS_WIRE_BYTES) continue;
    total += size;
    bounded[k] = v;
  }
  return bounded;
}
