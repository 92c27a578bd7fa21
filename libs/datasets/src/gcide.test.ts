import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from '@headstart/testing';
import { MissingDebianPackageError } from './debian';
import { decodeDictNumber, encodeDictNumber, parseDictd, readGcide } from './gcide';
import type { GcideEntry } from './gcide';
import { decodeAccents, entrySenses } from './gcide-senses';
import { dictdDatabase, GCIDE_FIXTURE_ENTRIES } from './testdata/gcide-fixture';

function entries(): GcideEntry[] {
  const { dict, index } = dictdDatabase(GCIDE_FIXTURE_ENTRIES);
  return parseDictd(dict, index);
}

function sensesOf(headword: string): { term: string; kind: string; text: string }[] {
  const entry = entries().find((e) => e.headword === headword);
  if (!entry) throw new Error(`no fixture entry ${headword}`);
  return entrySenses(entry).map(({ term, kind, text }) => ({ term, kind, text }));
}

describe('reading the dictd database', () => {
  it('decodes dictd base-64 numbers', () => {
    expect(decodeDictNumber('Fz')).toBe(5 * 64 + 51);
    for (const n of [0, 63, 64, 39952096]) expect(decodeDictNumber(encodeDictNumber(n))).toBe(n);
  });

  it('cuts the text at the index offsets, in file order, without the 00-database entries', () => {
    const parsed = entries();
    expect(parsed.map((e) => e.headword)).toEqual([
      'Abalone',
      'Abdomen',
      'Abdominal',
      'Acajou',
      'Aband',
      'Bidentate',
      'Bleak',
      'Gnat',
      'abducent',
    ]);
    expect(parsed[0]?.text.startsWith('Abalone \\Ab`a*lo"ne\\')).toBe(true);
    expect(parsed[0]?.text.endsWith('[1913 Webster]\n')).toBe(true);
  });

  it('reads a gzipped .dict.dz with node zlib, and names the apt package when it is missing', async () => {
    const dir = await makeTempDir('gcide');
    try {
      const { dict, index } = dictdDatabase(GCIDE_FIXTURE_ENTRIES);
      await fs.writeFile(path.join(dir.path, 'gcide.dict.dz'), gzipSync(dict));
      await fs.writeFile(path.join(dir.path, 'gcide.index'), index);
      const read = await readGcide(path.join(dir.path, 'gcide.dict.dz'), path.join(dir.path, 'gcide.index'));
      expect(read).toEqual(entries());
      const missing = readGcide(path.join(dir.path, 'nope.dict.dz'));
      await expect(missing).rejects.toBeInstanceOf(MissingDebianPackageError);
      await expect(missing).rejects.toThrow('apt-get install dict-gcide');
    } finally {
      await dir.remove();
    }
  });
});

describe('GCIDE senses', () => {
  it('takes the headword definition after pronunciation, grammar and mark, without the source marker', () => {
    expect(sensesOf('Abalone')).toEqual([
      {
        term: 'Abalone',
        kind: 'header',
        text:
          '(Zool.) A univalve mollusk of the genus Haliotis. The shell is lined with mother-of-pearl, and ' +
          'used for ornamental purposes; the sea-ear. Several large species are found on the coast of ' +
          'California, clinging closely to the rocks.',
      },
    ]);
  });

  it('splits numbered senses, each with its own mark, and drops the etymology', () => {
    const senses = sensesOf('Abdomen');
    expect(senses.map((s) => s.kind)).toEqual(['numbered', 'numbered']);
    expect(senses[0]?.text).toMatch(/^\(Anat\.\) The belly, or that part .* called the pelvic cavity\.$/);
    expect(senses[1]?.text).toBe(
      '(Zool.) The posterior section of the body, behind the thorax, in insects, crustaceans, and other Arthropoda.',
    );
  });

  it('drops inflected forms, quotations, citations and synonyms; keeps sub-senses together', () => {
    expect(sensesOf('Abdominal')[0]?.text).toBe('A fish of the group Abdominales.');
    expect(sensesOf('Acajou')[0]?.text).toBe(
      '(Bot.) The cashew tree; also, its fruit. See Cashew. The mahogany tree; also, its timber.',
    );
    expect(sensesOf('Aband').map((s) => s.text)).toEqual(['To abandon.', 'To banish; to expel.']);
    expect(sensesOf('abducent').map((s) => s.text)).toEqual([
      '(physiol) drawing away from the midline of the body or from an adjacent part; -- especially of muscles adducent',
    ]);
  });

  it('makes a sense of every {phrase}, named by the phrase', () => {
    expect(sensesOf('Gnat').slice(2)).toEqual([
      {
        term: 'Gnat catcher',
        kind: 'phrase',
        text: '(Zool.), one of several species of small American singing birds, of the genus Polioptila, allied to the kinglets.',
      },
      { term: 'Gnat flower', kind: 'phrase', text: 'the bee flower.' },
      { term: 'Gnat snapper', kind: 'phrase', text: '(Zool.), a bird that catches gnats.' },
    ]);
  });

  it('decodes accent codes', () => {
    expect(sensesOf('Bleak')[0]?.text).toBe(
      '(Zool.) A small European river fish (Leuciscus alburnus), of the family Cyprinidæ; the blay.',
    );
    expect(decodeAccents('(Zo["o]l.) abali[\'e]nation [=a]')).toBe('(Zoöl.) abaliénation ā');
  });
});
