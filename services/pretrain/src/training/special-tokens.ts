// The special tokens masked-LM training needs, found in the shards' header under either naming
// convention: BERT WordPiece ([CLS] [SEP] [MASK] [PAD]) or byte-level BPE (<s> </s> <mask> <pad>).

export interface SpecialTokenIds {
  /** Starts every sequence. */
  cls: number;
  /** Separates documents inside a packed sequence. */
  sep: number;
  /** Replaces 80% of the chosen positions. */
  mask: number;
  /** Fills sequences longer than the data (only ever needed for tiny validation splits). */
  pad: number | undefined;
  /** Every special id of the vocabulary: never chosen for masking, never used as a random replacement. */
  all: number[];
}

const ROLES = {
  cls: ['[CLS]', '<s>'],
  sep: ['[SEP]', '</s>'],
  mask: ['[MASK]', '<mask>'],
  pad: ['[PAD]', '<pad>'],
} as const;

/** The shards' special tokens are unusable for MLM (e.g. no mask token). */
export class SpecialTokensError extends Error {
  override readonly name = 'SpecialTokensError';
}

function find(specialTokens: Record<string, number>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const id = specialTokens[name];
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0) return id;
  }
  return undefined;
}

/** Maps roles to ids; throws a SpecialTokensError naming every missing role. */
export function resolveSpecialTokens(specialTokens: Record<string, number>): SpecialTokenIds {
  const cls = find(specialTokens, ROLES.cls);
  const sep = find(specialTokens, ROLES.sep);
  const mask = find(specialTokens, ROLES.mask);
  const missing = (
    [
      ['cls', cls],
      ['sep', sep],
      ['mask', mask],
    ] as const
  )
    .filter(([, id]) => id === undefined)
    .map(([role]) => ROLES[role].join(' or '));
  if (cls === undefined || sep === undefined || mask === undefined) {
    throw new SpecialTokensError(
      `the shards' tokenizer has no ${missing.join(', no ')} token; masked-LM training needs them ` +
        `(special tokens present: ${Object.keys(specialTokens).join(' ') || 'none'})`,
    );
  }
  const all = [...new Set(Object.values(specialTokens).filter((id) => Number.isInteger(id) && id >= 0))];
  return { cls, sep, mask, pad: find(specialTokens, ROLES.pad), all: all.sort((a, b) => a - b) };
}
