#!/usr/bin/env node
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { runDataCli } from './cli';

/** The repository root: the nearest ancestor with pnpm-workspace.yaml, else the working directory. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

runDataCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  defaultOutDir: path.join(repoRoot(), '.headstart', 'data'),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
