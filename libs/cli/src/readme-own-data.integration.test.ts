import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir, type TempDir } from '@headstart/testing';
import { cliTestRunner, type CliRun } from './cli-test-runner';
import { ExitCode } from './exit-codes';
import { runCli } from './program';
import { readmeCommands } from './readme-commands';

/* The README's "Fine-tune on your own data" commands, parsed from the README and run as written against
   a stack `headstart up` starts (in this process, on free ports the commands are pointed at, as
   HEADSTART_*_ADDR would). The demo's base is made the way `make demo` makes it, at tiny scale: a corpus
   through ingest, a tokenizer, shards, a few pre-training steps registering headstart-bert-mini@final. */

jest.setTimeout(120_000);

const README = path.join(__dirname, '..', '..', '..', 'README.md');
type Addresses = Record<'registry' | 'ingest' | 'pretrain' | 'finetune', string>;

let dir: TempDir;
let addresses: Addresses;
let stopStack: AbortController;
let upExit: Promise<number>;
let upStderr = '';
const cwd = process.cwd();

const { cli } = cliTestRunner(() => ({
  defaultRegistry: addresses.registry,
  defaultIngest: addresses.ingest,
  defaultPretrain: addresses.pretrain,
  defaultFinetune: addresses.finetune,
}));

async function ok(...argv: string[]): Promise<CliRun> {
  const run = await cli(...argv);
  if (run.code !== ExitCode.OK) {
    throw new Error(`headstart ${argv.join(' ')} exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  }
  return run;
}

/** `headstart up` on free ports; resolves with its addresses once it prints its status (--json). */
function startUp(home: string): Promise<Addresses> {
  stopStack = new AbortController();
  let ready: (addresses: Addresses) => void;
  const printed = new Promise<Addresses>((resolve) => (ready = resolve));
  const free = ['registry', 'ingest', 'pretrain', 'finetune'].flatMap((s) => [`--${s}`, '127.0.0.1:0']);
  upExit = runCli(['--json', ...free, 'up', '--home', home, '--backend', 'cpu', '--log-level', 'warn'], {
    streams: {
      stdout: { write: (text: string | Uint8Array) => ready(JSON.parse(String(text)).addresses) },
      stderr: { write: (text: string) => (upStderr += text) },
      stderrIsTTY: false,
    },
    defaultRegistry: '127.0.0.1:0',
    stopSignal: () => stopStack.signal,
  });
  const failed = upExit.then((code) => {
    throw new Error(`headstart up exited ${code} before it was ready: ${upStderr}`);
  });
  return Promise.race([printed, failed]);
}

const BILLING = ['charged', 'invoice', 'refund', 'payment', 'card', 'receipt', 'price', 'bill'];
const SHIPPING = ['parcel', 'delivery', 'courier', 'tracking', 'address', 'package', 'box', 'arrived'];
const sentence = (words: string[], i: number) =>
  `my ${words[i % 8]} and the ${words[(i * 3 + 1) % 8]} ${i % 2 ? 'are' : 'is'} wrong, ${words[(i * 5 + 2) % 8]} ${i}`;

/** A tiny corpus for the base and the user's labelled file: 40 rows of each class, text and label only. */
async function writeFiles(): Promise<void> {
  const corpus = Array.from({ length: 200 }, (_, i) => sentence(i % 2 ? BILLING : SHIPPING, i));
  await fs.writeFile(path.join(dir.path, 'corpus.txt'), corpus.join('\n'));
  const rows = ['text,label'];
  for (let i = 0; i < 40; i++)
    rows.push(`${sentence(BILLING, i)},billing`, `${sentence(SHIPPING, i)},shipping`);
  await fs.writeFile(
    path.join(dir.path, 'tickets.csv'),
    rows.map((r) => r.replace(/^(.*),/, '"$1",')).join('\n'),
  );
}

/** The demo's names at tiny scale: english-corpus → english-wordpiece → english-shards → headstart-bert-mini@final. */
async function pretrainTinyBase(): Promise<void> {
  const corpus = path.join(dir.path, 'corpus.txt');
  await ok(
    'corpus',
    'upload',
    corpus,
    '--name',
    'english-corpus',
    '--format',
    'lines',
    '--validation-fraction',
    '0.2',
  );
  await ok('tokenizer', 'train', 'english-corpus', '--name', 'english-wordpiece', '--vocab-size', '120');
  await ok('tokenize', 'english-corpus', 'english-wordpiece', '--name', 'english-shards');
  // prettier-ignore
  const tiny = ['--d-model', '16', '--heads', '2', '--layers', '1', '--ff', '32', '--seq-len', '16', '--batch', '8'];
  const steps = [
    '--max-steps',
    '4',
    '--warmup',
    '1',
    '--eval-every',
    '4',
    '--eval-batches',
    '1',
    '--checkpoint-every',
    '4',
  ];
  await ok(
    'pretrain',
    'start',
    '--model',
    'headstart-bert-mini',
    '--shards',
    'english-shards',
    ...tiny,
    ...steps,
  );
}

beforeAll(async () => {
  dir = await makeTempDir('cli-readme-own-data');
  await writeFiles();
  addresses = await startUp(path.join(dir.path, 'home'));
  await pretrainTinyBase();
  // The README's commands name the file relative to where the user runs them.
  process.chdir(dir.path);
});

afterAll(async () => {
  process.chdir(cwd);
  stopStack?.abort();
  await upExit;
  await dir?.remove();
});

describe('README: Fine-tune on your own data', () => {
  it('runs every command of the section, as written, against headstart up', async () => {
    const commands = readmeCommands(await fs.readFile(README, 'utf8'), 'Fine-tune on your own data');
    // Each step the section promises is there (so an emptied or renamed block fails here, not silently).
    expect(commands.map((argv) => argv.slice(0, 2).join(' '))).toEqual([
      'upload my-tickets',
      'finetune start',
      'finetune ls',
      'classify my-tickets-classifier',
      'study start',
      'versions ls',
      'lineage my-tickets-classifier',
    ]);
    const outputs = new Map<string, string>();
    for (const argv of commands) outputs.set(argv[0] as string, (await ok(...argv)).stdout);

    expect(outputs.get('finetune')).toMatch(/succeeded/);
    expect(outputs.get('classify')).toMatch(/^(billing|shipping) +\d\.\d{3} +(yes|no) +I was charged twice/m);
    expect(outputs.get('study')).toMatch(/succeeded/);
    expect(outputs.get('versions')).toContain('my-tickets-classifier');
    for (const ancestor of [
      'headstart-bert-mini',
      'my-tickets',
      'english-shards',
      'english-wordpiece',
      'english-corpus',
    ]) {
      expect(outputs.get('lineage')).toContain(ancestor);
    }
  });

  it('stops on the stop signal and exits 0', async () => {
    stopStack.abort();
    expect(await upExit).toBe(ExitCode.OK);
    expect(upStderr).toContain('stack stopped');
  });
});
