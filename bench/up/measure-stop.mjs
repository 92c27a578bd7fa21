#!/usr/bin/env node
// Times the main job's stop: starts `make demo`'s entry point (libs/pipeline/dist/main.js) in a fresh home,
// waits for the pre-training run's first step report, sends one SIGINT (a Ctrl-C) and times it to the
// process exit. Prints the seconds, the exit code and whether the run was handed back at its step.
// Usage: node bench/up/measure-stop.mjs [runs=1]   (after `pnpm build`; each run builds the data first)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const runs = Number(process.argv[2] ?? 1);
const main = new URL('../../libs/pipeline/dist/main.js', import.meta.url).pathname;

function once() {
  const home = mkdtempSync(join(tmpdir(), 'measure-stop-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, HEADSTART_HOME: home, HEADSTART_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let sentAt;
    let handedBack = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('run handed back to the queue for shutdown')) handedBack = true;
      if (sentAt === undefined && /"msg":"pretrain: step \d+/.test(line)) {
        sentAt = performance.now();
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(home, { recursive: true, force: true });
      if (sentAt === undefined) return reject(new Error(`the main job exited (${code}) before pre-training`));
      resolve({ seconds: (performance.now() - sentAt) / 1000, code, handedBack });
    });
  });
}

console.log(`CPU ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores`);
for (let i = 1; i <= runs; i++) {
  const r = await once();
  console.log(
    `run ${i}: SIGINT during pre-training → exit in ${r.seconds.toFixed(2)} s, exit code ${r.code}, run handed back: ${r.handedBack}`,
  );
}
