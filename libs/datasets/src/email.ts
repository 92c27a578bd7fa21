import { stripHtml } from './html';
import { decodeBody, decodeEncodedWords, parseContentType, parseEntity } from './mime';
import type { MimeEntity } from './mime';

export interface SubjectAndBody {
  /** The decoded Subject header, whitespace collapsed ('' when absent). */
  readonly subject: string;
  /** The readable text of the body: text parts decoded, HTML stripped, embedded header blocks removed. */
  readonly body: string;
}

// Nesting deeper than this is not mail, it is an attack on the parser.
const MAX_DEPTH = 8;
// Plain-text parts that are really HTML (common in spam) get stripped too.
const LOOKS_LIKE_HTML = /<(html|body|head|br|p|div|table|tr|td|font|center|img|a\s|b>|i>|span)\b/i;
// Header fields that identify servers, lists and software: never body text, even when a forwarded
// message or a bounce pastes them into the body.
const TECHNICAL_HEADER =
  /^(received|return-path|delivered-to|message-id|in-reply-to|references|mime-version|content-[a-z-]+|x-[a-z0-9-]+|list-[a-z-]+|precedence|errors-to|sender|envelope-to|dkim-signature|domainkey-signature|thread-[a-z-]+|user-agent|resent-[a-z-]+):/i;
// Fields of a quoted reply header ("-----Original Message----- From: ... Sent: ... To: ..."); two or
// more in a row are a pasted header block, one alone may be prose.
const REPLY_HEADER =
  /^(from|to|cc|bcc|sent|date|subject|reply-to|organization|newsgroups|importance|priority):/i;
// Quote markers and indentation in front of a pasted header line.
const QUOTE_PREFIX = /^[\s>|]*/;

/**
 * The Subject and the readable body of a raw email, every other header dropped: they name mailing lists,
 * servers and mailers, which nearly give the label away. MIME is walked: for multipart/alternative the
 * plain-text version is preferred over HTML, other multiparts contribute all their text parts, forwarded
 * message/rfc822 parts contribute their body (not their headers), and non-text parts (images, archives,
 * signatures) are skipped. Transfer encodings and charsets are decoded; HTML is stripped.
 */
export function extractSubjectAndBody(raw: string): SubjectAndBody {
  const message = parseEntity(raw);
  const subject = collapseWhitespace(decodeEncodedWords(message.headers.get('subject') ?? ''));
  const body = textParts(message, 0)
    .map(removeHeaderBlocks)
    .filter((text) => text.trim() !== '')
    .join('\n\n');
  return { subject, body };
}

function textParts(entity: MimeEntity, depth: number): string[] {
  if (depth > MAX_DEPTH) return [];
  const contentType = parseContentType(entity.headers.get('content-type'));
  const { type, params } = contentType;
  if (type.startsWith('multipart/')) {
    const boundary = params.get('boundary');
    if (!boundary) return [decodeText(entity, 'text/plain', params.get('charset'))];
    const parts = splitMultipart(entity.body, boundary).map(parseEntity);
    if (type === 'multipart/alternative') {
      const preferred =
        parts.find((p) => parseContentType(p.headers.get('content-type')).type === 'text/plain') ??
        parts[parts.length - 1];
      return preferred ? textParts(preferred, depth + 1) : [];
    }
    return parts.flatMap((part) => textParts(part, depth + 1));
  }
  if (type === 'message/rfc822') {
    const inner = parseEntity(
      decodeBody(entity.body, entity.headers.get('content-transfer-encoding'), undefined),
    );
    return textParts({ headers: inner.headers, body: inner.body }, depth + 1);
  }
  if (type === 'text/plain' || type === 'text/html' || type === 'text/enriched' || type === 'text/richtext') {
    return [decodeText(entity, type, params.get('charset'))];
  }
  return [];
}

function decodeText(entity: MimeEntity, type: string, charset: string | undefined): string {
  const text = decodeBody(entity.body, entity.headers.get('content-transfer-encoding'), charset);
  return type !== 'text/plain' || LOOKS_LIKE_HTML.test(text) ? stripHtml(text) : text;
}

/** The parts between `--boundary` lines, without preamble and epilogue. */
export function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      if (current) parts.push(current.join('\n'));
      if (trimmed.endsWith('--') && trimmed !== delimiter) return parts;
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  if (current && current.length > 0) parts.push(current.join('\n'));
  return parts;
}

/**
 * Drops header lines that a forwarded message, a quoted reply or a bounce pasted into a body (also when
 * quoted with `>` or indented): technical fields always, reply-header fields (From, To, Sent, Date ...)
 * when two or more come in a row. Continuation lines of a dropped field go with it.
 */
export function removeHeaderBlocks(text: string): string {
  const lines = text.split('\n');
  const unquoted = lines.map((line) => line.replace(QUOTE_PREFIX, ''));
  const kind = (i: number): 'technical' | 'reply' | undefined => {
    const line = unquoted[i] ?? '';
    if (TECHNICAL_HEADER.test(line)) return 'technical';
    return REPLY_HEADER.test(line) ? 'reply' : undefined;
  };
  // Indented beyond its quote markers: the folded rest of the field above.
  const isContinuation = (i: number): boolean => {
    const line = lines[i] ?? '';
    const rest = line.slice((/^(?:[>|][ \t]?)*/.exec(line)?.[0] ?? '').length);
    return /^[ \t]+\S/.test(rest) && kind(i) === undefined;
  };
  // Mail clients wrap long fields without indenting ("From: x [mailto:x]On Behalf Of\nJane Doe\nSent: ...");
  // a short line between two header fields is such a wrap.
  const isWrap = (i: number): boolean =>
    kind(i) === undefined &&
    kind(i + 1) !== undefined &&
    /\S/.test(unquoted[i] ?? '') &&
    (unquoted[i] ?? '').length < 80;
  const keep = lines.map(() => true);
  for (let i = 0; i < lines.length; i++) {
    if (kind(i) === undefined) continue;
    // The run of header fields (and their continuation lines) starting here.
    let end = i;
    let replyFields = 0;
    const fields: number[] = [];
    while (
      end < lines.length &&
      (kind(end) !== undefined || (end > i && (isContinuation(end) || isWrap(end))))
    ) {
      if (kind(end) === 'reply') replyFields++;
      if (kind(end) !== undefined) fields.push(end);
      end++;
    }
    for (let j = i; j < end; j++) {
      const owner = fields.filter((f) => f <= j).pop() ?? i;
      if (kind(owner) === 'technical' || replyFields >= 2) keep[j] = false;
    }
    i = end - 1;
  }
  return lines.filter((_line, i) => keep[i]).join('\n');
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
