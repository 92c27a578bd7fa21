// Decoders turn tokens back into text.
import { CHAR_TO_BYTE } from './byte-level';
import type { DecoderJson } from './tokenizer-json';

export interface Decoder {
  decode(tokens: readonly string[]): string;
  toJSON(): DecoderJson;
}

function cleanup(s: string): string {
  return s
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(' do not', " don't")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** Joins WordPiece tokens: continuation pieces lose their prefix, others get a space (HF `WordPiece`). */
export function createWordPieceDecoder(prefix = '##', cleanupSpaces = true): Decoder {
  return {
    decode(tokens) {
      let out = '';
      tokens.forEach((token, i) => {
        let t = token;
        if (i !== 0) t = t.startsWith(prefix) ? t.slice(prefix.length) : ` ${t}`;
        out += cleanupSpaces ? cleanup(t) : t;
      });
      return out;
    },
    toJSON: () => ({ type: 'WordPiece', prefix, cleanup: cleanupSpaces }),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Maps byte-level characters back to bytes and decodes them as UTF-8 (HF `ByteLevel`). */
export function createByteLevelDecoder(json: DecoderJson & { type: 'ByteLevel' }): Decoder {
  return {
    decode(tokens) {
      const bytes: number[] = [];
      for (const token of tokens) {
        const start = bytes.length;
        let ok = true;
        for (let i = 0; i < token.length; i++) {
          const b = CHAR_TO_BYTE.get(token.charCodeAt(i));
          if (b === undefined) {
            ok = false;
            break;
          }
          bytes.push(b);
        }
        if (!ok) {
          bytes.length = start;
          bytes.push(...Buffer.from(token, 'utf8'));
        }
      }
      return utf8.decode(Uint8Array.from(bytes));
    },
    toJSON: () => json,
  };
}

export function decoderFromJSON(json: DecoderJson): Decoder {
  switch (json.type) {
    case 'WordPiece':
      return createWordPieceDecoder(json.prefix, json.cleanup);
    case 'ByteLevel':
      return createByteLevelDecoder(json);
    default:
      throw new Error(`unsupported decoder type ${JSON.stringify((json as { type: unknown }).type)}`);
  }
}
