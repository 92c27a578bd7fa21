import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Thrown when a Debian data package the build reads is not installed. */
export class MissingDebianPackageError extends Error {
  constructor(
    readonly packageName: string,
    readonly file: string,
  ) {
    super(
      `${file} not found: the Debian package ${packageName} is not installed. ` +
        `Install it with \`apt-get install ${packageName}\` (.ci/bootstrap.sh does).`,
    );
    this.name = 'MissingDebianPackageError';
  }
}

/** Resolves when `file` exists; otherwise throws a MissingDebianPackageError naming the package. */
export async function requireDebianFile(packageName: string, file: string): Promise<void> {
  try {
    await fs.access(file);
  } catch {
    throw new MissingDebianPackageError(packageName, file);
  }
}

/** The installed version of a Debian package (dpkg-query), or undefined when it is not installed. */
export async function debianVersion(packageName: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Version}', packageName]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
