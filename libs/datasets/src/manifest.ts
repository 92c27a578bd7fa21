import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { BuilderIdentity } from './builder-identity';
import type { DictionaryDomainsStats } from './dictionary-domains';
import { digestFile } from './jsonl-writer';
import type { PretrainCorpusStats } from './pretrain-corpus';
import type { SourceInfo } from './sources';
import type { SpamAssassinStats } from './spam-assassin';

export const MANIFEST_FILE = 'manifest.json';
// 2: dictionary-domains.jsonl and its statistics; Debian sources; corpus sizes in words.
export const MANIFEST_FORMAT = 2;

export interface ManifestFile {
  readonly sha256: string;
  readonly bytes: number;
  readonly documents: number;
  /** Records per split value; for the SpamAssassin task, the `split` field (see the stats for time_split). */
  readonly splits: Readonly<Record<string, number>>;
  /** The settings the file was built with; a file is reused only when these match. */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly description: string;
}

export interface Manifest {
  readonly format: number;
  readonly builder: BuilderIdentity;
  readonly seed: number;
  readonly sources: readonly SourceInfo[];
  readonly files: Readonly<Record<string, ManifestFile>>;
  readonly pretrainCorpus: PretrainCorpusStats;
  readonly spamAssassin: SpamAssassinStats;
  readonly dictionaryDomains: DictionaryDomainsStats;
}

export async function readManifest(outDir: string): Promise<Manifest | undefined> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(outDir, MANIFEST_FILE), 'utf8')) as Manifest;
    return manifest.format === MANIFEST_FORMAT ? manifest : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** Whether `file` is on disk with the digest and size the manifest recorded. */
export async function fileMatches(
  outDir: string,
  file: string,
  entry: ManifestFile | undefined,
): Promise<boolean> {
  if (!entry) return false;
  const actual = await digestFile(path.join(outDir, file));
  return actual !== undefined && actual.sha256 === entry.sha256 && actual.bytes === entry.bytes;
}

/** Stable JSON: keys in the order the builder creates them, two-space indent, trailing newline. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
