import { normalizeDefinition } from '../dictionary-domains';

// A word as the builder's n-gram check counts it: letters and digits, with inner apostrophes
// ("defendant's" is one word).
const WORD = /[\p{L}\p{N}]+(?:['’]\p{L}+)*/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** The definition of a GCIDE corpus line "term: definition"; any other line as it is. */
function definitionOf(line: string): string {
  const colon = line.indexOf(': ');
  return colon >= 0 ? line.slice(colon + 2) : line;
}

/**
 * An independent check that no held-out definition is in a corpus: the ids of documents with a line
 * whose definition ("term: definition") normalises to a held-out text (an exact copy), or that share a
 * run of `n` words with one (a near copy). Written apart from DefinitionFilter and NgramIndex on
 * purpose: plain strings, no hashing.
 */
export function heldOutLeaks(
  heldOut: readonly string[],
  documents: readonly { id: string; text: string }[],
  n = 8,
): { exact: string[]; near: string[] } {
  const normalized = new Set(heldOut.map(normalizeDefinition));
  const grams = new Set<string>();
  const starts = new Set<string>();
  for (const text of heldOut) {
    const w = words(text);
    for (let i = 0; i + n <= w.length; i++) {
      grams.add(w.slice(i, i + n).join(' '));
      starts.add(`${w[i]} ${w[i + 1]}`);
    }
  }
  const exact: string[] = [];
  const near: string[] = [];
  for (const doc of documents) {
    if (doc.text.split('\n').some((line) => normalized.has(normalizeDefinition(definitionOf(line))))) {
      exact.push(doc.id);
    }
    const w = words(doc.text);
    for (let i = 0; i + n <= w.length; i++) {
      if (starts.has(`${w[i]} ${w[i + 1]}`) && grams.has(w.slice(i, i + n).join(' '))) {
        near.push(doc.id);
        break;
      }
    }
  }
  return { exact, near };
}
