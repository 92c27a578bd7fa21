// `--keep-up`: the main job at the e2e test's tiny scale prints its report, then leaves the stack serving
// (the registry answers, with the base the job pre-trained) until the stop signal, then stops it.
import * as net from 'node:net';
import * as path from 'node:path';

import { createRegistryClient } from '@headstart/registry-client';
import { makeTempDir, shippedDataDir, type TempDir } from '@headstart/testing';

import { runMainJob, type ConsoleStream } from './main-job';
import { TINY_SCALE, type PipelineScale } from './scale';

jest.setTimeout(300_000);

const TINY: PipelineScale = TINY_SCALE;

/** Whether something accepts TCP connections at host:port. */
function answers(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host: host as string, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir('main-keep-up');
});
afterAll(async () => {
  await dir?.remove();
});

it('--keep-up: the report, then the stack keeps serving until the stop signal', async () => {
  let output = '';
  let onUp: (text: string) => void = () => undefined;
  const up = new Promise<string>((resolve) => (onUp = resolve));
  const stdout: ConsoleStream = {
    isTTY: false,
    write(chunk: string, callback?: () => void) {
      output += chunk;
      if (chunk.includes('the stack stays up')) onUp(chunk);
      callback?.();
      return true;
    },
  };
  const controller = new AbortController();
  const job = runMainJob({
    argv: ['--keep-up'],
    config: {
      home: path.join(dir.path, 'home'),
      backend: 'cpu',
      logLevel: 'info',
      logFormat: 'auto',
      keepUp: false,
    },
    stdout,
    scale: TINY,
    dataDir: shippedDataDir(),
    signal: controller.signal,
    keepUpPorts: { registry: 0, ingest: 0, pretrain: 0, finetune: 0 },
  });
  const upText = await Promise.race([up, job.then(() => 'the job returned without staying up')]);
  expect(output).toContain('Headstart main job');
  const registry = /registry (127\.0\.0\.1:\d+)/.exec(upText)?.[1];
  expect(registry).toBeDefined();
  // Still serving after the report: the CLI's next command finds the base the job pre-trained.
  const client = createRegistryClient({ address: registry as string });
  try {
    const model = await client.getModel('headstart-bert-mini');
    expect(model.name).toBe('headstart-bert-mini');
  } finally {
    client.close();
  }
  controller.abort();
  const result = await job;
  expect(result.report.pretrain.steps).toBe(6);
  // The stop signal stopped the stack.
  expect(await answers(registry as string)).toBe(false);
  // Piped: JSON lines, with one line at the start and end of each stage.
  expect(output).toContain('"msg":"stage 1: data"');
  expect(output).toContain('"msg":"stage report done"');
});
