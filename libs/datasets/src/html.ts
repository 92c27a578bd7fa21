/** Named entities worth knowing in 2002-era email (HTML 4 Latin-1, symbols and typography). */
// prettier-ignore
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', sbquo: '‚',
  bdquo: '„', laquo: '«', raquo: '»', bull: '•', middot: '·', deg: '°', plusmn: '±', times: '×',
  divide: '÷', frac12: '½', frac14: '¼', frac34: '¾', sup1: '¹', sup2: '²', sup3: '³', cent: '¢',
  pound: '£', yen: '¥', euro: '€', curren: '¤', sect: '§', para: '¶', iexcl: '¡', iquest: '¿',
  acute: '´', cedil: '¸', uml: '¨', macr: '¯', ordf: 'ª', ordm: 'º', not: '¬', shy: '', brvbar: '¦',
  micro: 'µ', dagger: '†', Dagger: '‡', permil: '‰', prime: '′', Prime: '″', larr: '←', rarr: '→',
  uarr: '↑', darr: '↓', harr: '↔', le: '≤', ge: '≥', ne: '≠', infin: '∞', hearts: '♥', spades: '♠',
  clubs: '♣', diams: '♦', ensp: ' ', emsp: ' ', thinsp: ' ', zwnj: '', zwj: '', lrm: '', rlm: '',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç',
  Egrave: 'È', Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï',
  ETH: 'Ð', Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø',
  Ugrave: 'Ù', Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý', THORN: 'Þ', szlig: 'ß', agrave: 'à',
  aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ', ccedil: 'ç', egrave: 'è',
  eacute: 'é', ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï', eth: 'ð',
  ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', ugrave: 'ù',
  uacute: 'ú', ucirc: 'û', uuml: 'ü', yacute: 'ý', thorn: 'þ', yuml: 'ÿ', OElig: 'Œ', oelig: 'œ',
  Scaron: 'Š', scaron: 'š', Yuml: 'Ÿ', fnof: 'ƒ', circ: 'ˆ', tilde: '˜',
};

// Elements whose content is not text a reader sees.
const INVISIBLE = /<(script|style|head|title|xml|object|applet)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?-->|<![^>]*>|<\?[\s\S]*?\?>/g;
// A tag: `<name ...>` or `</name>`. The name must be followed by whitespace, `/` or `>`, so an address
// like `<jo@example.com>` or a URL in angle brackets is text, not a tag.
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9:-]*)(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?\/?>/g;
// Tags that break the flow of text; the rest (b, i, font, a, span ...) glue to their neighbours.
const BLOCK =
  /^(p|br|div|tr|td|th|li|ul|ol|table|tbody|thead|h[1-6]|hr|blockquote|pre|center|dl|dt|dd|form|option|body|html|img|input|select|textarea|frame|iframe|section|article|header|footer|nav|address)$/i;
const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?/g;

/** Replaces HTML character references (named, decimal, hex) with their characters; unknown ones stay. */
export function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return ' ';
      }
      return code === 0xa0 ? ' ' : String.fromCodePoint(code);
    }
    // Like browsers, known names decode even without the semicolon; unknown ones ("AT&T") stay text.
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/**
 * Strips HTML to the text a reader would see: drops scripts, styles, head, comments and doctype, removes
 * tags (block-level ones become a space, inline ones vanish so `<b>W</b>ord` stays one word), then
 * decodes entities. Entities are decoded last so an escaped `&lt;b&gt;` comes out as literal text.
 * Whitespace is not collapsed here.
 */
export function stripHtml(html: string): string {
  const withoutTags = html
    .replace(INVISIBLE, ' ')
    .replace(COMMENT, ' ')
    .replace(TAG, (_tag, name: string) => (BLOCK.test(name) ? ' ' : ''));
  return decodeEntities(withoutTags);
}
