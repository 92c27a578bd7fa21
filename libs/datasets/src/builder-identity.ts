import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { compareStrings } from './seeded-order';

export interface BuilderIdentity {
  readonly name: string;
  readonly version: string;
  /**
   * sha256 over this library's own module files (without tests). A changed builder means changed output
   * even when nobody bumped the version, so a re-run must not skip on a stale manifest.
   */
  readonly codeDigest: string;
}

/** Identity of the code running now: package.json name/version and a digest of the module files. */
export async function currentBuilder(moduleDir: string = __dirname): Promise<BuilderIdentity> {
  const pkg = JSON.parse(await fs.readFile(path.join(moduleDir, '..', 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const files = (await fs.readdir(moduleDir))
    .filter((f) => /\.(js|ts)$/.test(f) && !/\.(test|d)\.(js|ts)$/.test(f) && !/^main\.(js|ts)$/.test(f))
    .sort(compareStrings);
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\u0000`);
    hash.update(await fs.readFile(path.join(moduleDir, file)));
  }
  return { name: pkg.name, version: pkg.version, codeDigest: hash.digest('hex') };
}
