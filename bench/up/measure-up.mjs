#!/usr/bin/env node
// Times `headstart up` from spawn to its "ready" line and from SIGINT (one Ctrl-C) to the process exit,
// on free ports and a fresh home: the first run is cold (empty home), the next ones reuse it.
// Usage: node bench/up/measure-up.mjs [runs=3] [backend=auto]   (after `pnpm build`)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 3);
const backend = process.argv[3] ?? 'auto';
const cli = new URL('../../libs/cli/dist/main.js', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'measure-up-'));
const free = ['registry', 'ingest', 'pretrain', 'finetune'].flatMap((s) => [`--${s}`, '127.0.0.1:0']);

function once() {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [cli, ...free, 'up', '--home', home, '--backend', backend]);
    let out = '';
    let ready;
    let stopAt;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (ready === undefined && out.includes('ready:')) {
        ready = performance.now() - start;
        stopAt = performance.now();
        child.kill('SIGINT');
      }
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('exit', (code) => {
      if (ready === undefined) reject(new Error(`headstart up exited ${code} before it was ready:\n${out}`));
      else resolve({ readyS: ready / 1000, stopS: (performance.now() - stopAt) / 1000, code });
    });
  });
}

try {
  for (let i = 0; i < runs; i++) {
    const { readyS, stopS, code } = await once();
    console.log(
      `run ${i + 1} (${i === 0 ? 'cold home' : 'warm home'}, backend ${backend}): ` +
        `up to ready ${readyS.toFixed(2)} s, Ctrl-C to exit ${stopS.toFixed(2)} s, exit code ${code}`,
    );
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
