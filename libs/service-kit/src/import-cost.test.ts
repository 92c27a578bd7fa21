import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

/*
 * main.ts reads its configuration with the kit before it starts telemetry, and the gRPC instrumentation
 * only traces client classes built after it started. Importing the kit must therefore not load
 * @headstart/proto (whose generated clients are built on load). Checked in a plain node process
 * against the built package, since Jest's module registry is not node's.
 */
it('importing the kit does not load the generated protobuf clients', async () => {
  const dist = path.join(__dirname, '..', 'dist', 'index.js');
  const script = `require(${JSON.stringify(dist)});
    const loaded = Object.keys(require.cache).filter((k) => k.includes(${JSON.stringify(path.sep + 'proto' + path.sep)}));
    process.stdout.write(JSON.stringify(loaded));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 20_000 });
  expect(JSON.parse(stdout)).toEqual([]);
});
