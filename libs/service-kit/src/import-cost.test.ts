import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

/*
 * A service's main.ts imports the kit (runServiceMain) before telemetry starts, and the gRPC
 * instrumentation only traces client classes built after it started. Importing the kit must therefore
 * not load @headstart/proto (whose generated clients are built on load). Nor the OpenTelemetry SDK:
 * runServiceMain loads it when it runs, so clients and tools that use the kit do not pay for it.
 * Checked in a plain node process against the built package, since Jest's module registry is not node's.
 */
async function modulesLoadedByTheKit(fragment: string): Promise<string[]> {
  const dist = path.join(__dirname, '..', 'dist', 'index.js');
  const script = `require(${JSON.stringify(dist)});
    const loaded = Object.keys(require.cache).filter((k) => k.includes(${JSON.stringify(fragment)}));
    process.stdout.write(JSON.stringify(loaded));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 20_000 });
  return JSON.parse(stdout) as string[];
}

it('importing the kit does not load the generated protobuf clients', async () => {
  expect(await modulesLoadedByTheKit(path.sep + 'proto' + path.sep)).toEqual([]);
});

it('importing the kit does not load telemetry or the OpenTelemetry SDK', async () => {
  expect(await modulesLoadedByTheKit(path.sep + 'telemetry' + path.sep)).toEqual([]);
  expect(await modulesLoadedByTheKit('@opentelemetry')).toEqual([]);
});
