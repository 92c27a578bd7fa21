/** Tokens that attach to the word before them (no space in front). */
const CLOSING = new Set([',', '.', ';', ':', '?', '!', ')', ']', '}', '%', "n't"]);
/** Tokens that attach to the word after them (no space behind). */
const OPENING = new Set(['(', '[', '{', '$']);

/**
 * Turns one Brown corpus file (form C: `word/tag` tokens, one sentence a line, paragraphs separated by
 * blank lines) into readable text: tags dropped (split at the LAST slash, since words like `1/2` contain
 * one), ``` `` ``` and `''` mapped to `"`, punctuation attached to its word, single-quote pairs attached
 * inside, sentences of a paragraph joined by spaces and paragraphs separated by a blank line. Headline
 * lines (every tag marked `-hl`) become paragraphs of their own, so a heading does not run into the text.
 */
export function brownToText(raw: string): string {
  const paragraphs: string[] = [];
  for (const block of raw.split(/\n[ \t]*\n/)) {
    let sentences: string[][] = [];
    const flush = (): void => {
      if (sentences.length > 0) paragraphs.push(detokenize(sentences.flat()));
      sentences = [];
    };
    for (const line of block.split('\n')) {
      const tagged = line.split(/\s+/).filter(Boolean);
      if (tagged.length === 0) continue;
      const words = tagged.map((token) => {
        const slash = token.lastIndexOf('/');
        return slash > 0 ? token.slice(0, slash) : token;
      });
      if (tagged.every((token) => /\/[^/]*-hl$/.test(token))) {
        flush();
        paragraphs.push(detokenize(words));
      } else {
        sentences.push(words);
      }
    }
    flush();
  }
  return paragraphs.join('\n\n');
}

/**
 * Joins Penn/Brown-style tokens into text. Double quotes are explicit (``` `` ``` opens, `''` closes);
 * a bare `'` is a quote mark too in Brown, so quotes of that kind alternate open/close within the
 * paragraph.
 */
export function detokenize(tokens: readonly string[]): string {
  let out = '';
  let glueNext = true; // No space before the first token.
  let singleOpen = false;
  for (const token of tokens) {
    let text = token;
    let attachLeft = false;
    let attachRight = false;
    if (token === '``') {
      text = '"';
      attachRight = true;
    } else if (token === "''") {
      text = '"';
      attachLeft = true;
    } else if (token === "'") {
      attachLeft = singleOpen;
      attachRight = !singleOpen;
      singleOpen = !singleOpen;
    } else if (CLOSING.has(token)) {
      attachLeft = true;
    } else if (OPENING.has(token)) {
      attachRight = true;
    }
    // "Jr." ending a sentence is followed by a separate period token in Brown.
    if (token === '.' && out.endsWith('.')) continue;
    out += glueNext || attachLeft ? text : ` ${text}`;
    glueNext = attachRight;
  }
  return out;
}
