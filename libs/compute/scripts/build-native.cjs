// Builds the OpenBLAS kernels addon (build/Release/headstart_compute.node) with node-gyp against the
// local Node headers — never a header download, which has no network to succeed on. Incremental: the
// configure step runs only when build/ is missing or binding.gyp changed, and make recompiles only what
// changed.
//
// `pnpm build` runs it as build:native and fails when it fails, so CI never ships the slow JS fallback.
// `pnpm install` runs it with --if-possible: a failure there (say, libopenblas-dev not yet installed)
// warns and lets the rest of the workspace install.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const ifPossible = process.argv.includes('--if-possible');

function fail(message) {
  if (ifPossible) {
    console.error(`\n@headstart/compute: NATIVE KERNELS NOT BUILT (${message}).`);
    console.error('Training will fall back to the pure-JS cpu backend until `pnpm build` succeeds.\n');
    process.exit(0);
  }
  console.error(`@headstart/compute: native build failed: ${message}`);
  process.exit(1);
}

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  // Node installed under <prefix>/bin/node ships its headers in <prefix>/include/node.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return fail(
    `no Node headers next to ${process.execPath}; set npm_config_nodedir to a dir with include/node`,
  );
}

let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  fail('node-gyp is not installed (devDependency of @headstart/compute)');
}

function gyp(args) {
  const result = spawnSync(process.execPath, [nodeGyp, ...args, `--nodedir=${nodeDir()}`], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) fail(`node-gyp ${args[0]} exited with ${result.status ?? result.signal}`);
}

// pnpm may run the install script while a build is under way (pnpm exec re-verifies the install):
// two node-gyp runs in one build/ directory corrupt each other, so take a lock directory first.
fs.mkdirSync(path.join(root, 'build'), { recursive: true });
const lock = path.join(root, 'build', '.native-build.lock');
function acquire() {
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      if (age > 10 * 60 * 1000) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) fail('timed out waiting for another native build');
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}
acquire();
process.on('exit', () => fs.rmSync(lock, { recursive: true, force: true }));

const makefile = path.join(root, 'build', 'Makefile');
const stale =
  !fs.existsSync(makefile) ||
  fs.statSync(path.join(root, 'binding.gyp')).mtimeMs > fs.statSync(makefile).mtimeMs;
if (stale) gyp(['configure']);
gyp(['build', `--jobs=${Math.max(1, os.availableParallelism())}`]);
