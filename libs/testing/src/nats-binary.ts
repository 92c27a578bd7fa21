import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where Debian puts the binary; PATH often lacks the sbin dirs for non-root users. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];

export const NATS_SERVER_MISSING_HINT =
  'nats-server was not found in PATH or /usr/sbin: install the Debian package nats-server ' +
  '(apt-get install nats-server) or run .ci/bootstrap.sh';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Absolute path of the nats-server executable: `explicit` when given, else the first hit in
 * `searchPath` (the PATH string, passed in by the caller) followed by the usual sbin/bin directories.
 * Throws an Error that says how to install it when nothing is found.
 */
export function findNatsServerBinary(explicit?: string, searchPath = process.env['PATH'] ?? ''): string {
  if (explicit !== undefined) {
    if (isExecutable(explicit)) return explicit;
    throw new Error(
      `nats-server binary ${explicit} is missing or not executable. ${NATS_SERVER_MISSING_HINT}`,
    );
  }
  const dirs = [...searchPath.split(path.delimiter).filter((d) => d.length > 0), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'nats-server');
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(NATS_SERVER_MISSING_HINT);
}
