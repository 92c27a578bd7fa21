import { isUtf8 } from 'node:buffer';
import { invalidArgument } from '@headstart/errors';

export interface Line {
  /** 1-based, as editors count. */
  number: number;
  /** The line without its terminator ("\n" or "\r\n"), decoded. */
  text: string;
  /** Bytes of the line including its terminator, for progress. */
  bytes: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function lineError(number: number, message: string): Error {
  return invalidArgument(`line ${number}: ${message}`, { line: String(number) });
}

/**
 * Splits a byte stream into lines and decodes them, refusing invalid UTF-8 and lines over
 * `maxLineBytes` with INVALID_ARGUMENT naming the line. A line never grows past the limit in memory:
 * the error is raised as soon as the pending bytes exceed it. Splitting on 0x0A before decoding is
 * safe because that byte never occurs inside a multi-byte UTF-8 sequence.
 */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<Line, void, undefined> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;

  const finish = (bytes: Buffer, terminated: boolean): Line => {
    number++;
    let content = bytes;
    if (terminated && content.length > 0 && content[content.length - 1] === CARRIAGE_RETURN) {
      content = content.subarray(0, content.length - 1);
    }
    if (number === 1 && content.subarray(0, 3).equals(BOM)) content = content.subarray(3);
    if (content.length > maxLineBytes)
      throw lineError(number, `longer than the limit of ${maxLineBytes} bytes`);
    if (!isUtf8(content)) throw lineError(number, 'not valid UTF-8');
    return { number, text: content.toString('utf8'), bytes: bytes.length + (terminated ? 1 : 0) };
  };

  for await (const raw of chunks) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) break;
      const piece = chunk.subarray(start, end);
      const bytes =
        pendingBytes === 0 ? piece : Buffer.concat([...pending, piece], pendingBytes + piece.length);
      pending = [];
      pendingBytes = 0;
      yield finish(bytes, true);
      start = end + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pending.push(rest);
      pendingBytes += rest.length;
      // +1: room for a "\r" that the terminator would strip.
      if (pendingBytes > maxLineBytes + 1) {
        throw lineError(number + 1, `longer than the limit of ${maxLineBytes} bytes`);
      }
    }
  }
  if (pendingBytes > 0) yield finish(Buffer.concat(pending, pendingBytes), false);
}
