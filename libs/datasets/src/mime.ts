/** An RFC 822 message or MIME part: its header fields (names lowercased, first occurrence) and raw body. */
export interface MimeEntity {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

// `Name: value` with a legal field name (printable ASCII except colon and space).
const HEADER_LINE = /^[!-9;-~]+:/;
// The mbox separator line `From sender date` that starts each SpamAssassin file.
const MBOX_FROM = /^From \S/;

/**
 * Splits a message (or a MIME part) into header fields and body. Headers run until the first blank line;
 * continuation lines (leading whitespace) are unfolded into the field before them. A line that is neither
 * a header nor a continuation also ends the header block (malformed messages), so the body of a
 * malformed message is not lost. When a field repeats, the first occurrence wins.
 */
export function parseEntity(raw: string): MimeEntity {
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  const fields: [string, string][] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i++;
      break;
    }
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last[1] = `${last[1]} ${line.trim()}`;
    } else if (i === 0 && MBOX_FROM.test(line)) {
      continue;
    } else if (HEADER_LINE.test(line)) {
      const colon = line.indexOf(':');
      fields.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    } else {
      break;
    }
  }
  const headers = new Map<string, string>();
  for (const [name, value] of fields) if (!headers.has(name)) headers.set(name, value);
  return { headers, body: lines.slice(i).join('\n') };
}

export interface ContentType {
  /** Lowercased `type/subtype`; `text/plain` when absent or unparseable (RFC 2045 default). */
  readonly type: string;
  /** Parameters with lowercased names and unquoted values. */
  readonly params: ReadonlyMap<string, string>;
}

export function parseContentType(value: string | undefined): ContentType {
  const params = new Map<string, string>();
  const [typePart = '', ...rest] = (value ?? '').split(';');
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    const raw = param.slice(eq + 1).trim();
    params.set(name, raw.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1'));
  }
  const type = typePart.trim().toLowerCase();
  return { type: /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : 'text/plain', params };
}

/** Bytes of a string whose characters are already bytes; anything above 0xff is UTF-8 encoded. */
function toBytes(text: string): Uint8Array {
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u00ff]*$/.test(text)) return Uint8Array.from(text, (c) => c.charCodeAt(0));
  return Buffer.from(text, 'utf8');
}

/** RFC 2045 quoted-printable: `=XX` escapes and `=` soft line breaks. */
export function decodeQuotedPrintable(text: string): Uint8Array {
  const unescaped = text
    .replace(/[ \t]+$/gm, '')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return toBytes(unescaped);
}

export function decodeBase64(text: string): Uint8Array {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
}

/** Decodes bytes in a declared charset; unknown or broken labels fall back to windows-1252. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? '').trim().toLowerCase();
  try {
    return new TextDecoder(label || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * Decodes a part's body per its Content-Transfer-Encoding and charset. 7bit/8bit/binary bodies were
 * already decoded to text by the dataset loader and come back unchanged.
 */
export function decodeBody(
  body: string,
  transferEncoding: string | undefined,
  charset: string | undefined,
): string {
  const encoding = (transferEncoding ?? '').trim().toLowerCase();
  if (encoding === 'base64') return decodeCharset(decodeBase64(body), charset);
  if (encoding === 'quoted-printable') return decodeCharset(decodeQuotedPrintable(body), charset);
  return body;
}

/** RFC 2047 encoded words in a header value (`=?charset?Q|B?text?=`); whitespace between words drops. */
export function decodeEncodedWords(value: string): string {
  const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(ENCODED_WORD, (_m, charset: string, kind: string, text: string) => {
      const bytes =
        kind.toUpperCase() === 'B' ? decodeBase64(text) : decodeQuotedPrintable(text.replace(/_/g, ' '));
      return decodeCharset(bytes, charset.split('*')[0]);
    });
}
