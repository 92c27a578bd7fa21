import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, type TempDir } from '@headstart/testing';

/* One trace from a corpus's upload to the fine-tune its checkpoint triggered, with every hop: gRPC
   metadata (also from a `headstart` process given TRACEPARENT), the ingest job stored with its trace
   context, the pretrain and finetune work queues (NATS headers), and the registry's outbox (the context
   stored with the row). The stack runs in a plain node process (test-fixtures/trace-stack.cjs) with an
   in-memory span exporter: the gRPC instrumentation hooks node's own require, which Jest bypasses. */

jest.setTimeout(240_000);

interface SpanJson {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  start: number;
  attributes: Record<string, unknown>;
}

const SERVER = 1;
const fixture = path.join(__dirname, '..', 'test-fixtures', 'trace-stack.cjs');
let dir: TempDir;
let spans: SpanJson[];

beforeAll(async () => {
  if (!existsSync(path.join(__dirname, '..', 'dist', 'main.js'))) {
    throw new Error('build first: pnpm exec tsc --build tsconfig.json');
  }
  dir = await makeTempDir('cli-trace');
  const out = path.join(dir.path, 'spans.json');
  await promisify(execFile)(process.execPath, [fixture, out], { timeout: 220_000 });
  const result = JSON.parse(await fs.readFile(out, 'utf8')) as { error?: string; spans: SpanJson[] };
  if (result.error !== undefined) throw new Error(`the traced sequence failed: ${result.error}`);
  spans = result.spans;
});

afterAll(async () => {
  await dir?.remove();
});

/** The one span named `name` (of `kind`, when given). */
function only(name: string, kind?: number): SpanJson {
  const found = spans.filter((s) => s.name === name && (kind === undefined || s.kind === kind));
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0] as SpanJson;
}

/** Names from `span` up to its root, nearest first. */
function ancestry(span: SpanJson): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const names: string[] = [];
  for (let at: SpanJson | undefined = span; at !== undefined; at = byId.get(at.parentSpanId ?? '')) {
    names.push(at.name);
  }
  return names;
}

describe('one trace from a corpus to the fine-tune its checkpoint triggered', () => {
  it('has the named spans in one trace, each under the hop that caused it, in order', () => {
    const root = only('corpus to fine-tune');
    expect(root.parentSpanId).toBeUndefined();
    const upload = only('grpc.headstart.ingest.v1.IngestService/UploadCorpus', SERVER);
    const trainTokenizer = only('ingest job train_tokenizer');
    const tokenize = only('ingest job tokenize');
    const run = only('pretrain run');
    const checkpoint = only('pretrain checkpoint');
    const match = only('finetune triggers checkpointRegistered');
    const job = only('finetune job');
    const chain = [root, upload, trainTokenizer, tokenize, run, checkpoint, match, job];
    expect(new Set(chain.map((s) => s.traceId))).toEqual(new Set([root.traceId]));
    // Started in the order of the story.
    const starts = chain.map((s) => s.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);

    // The `headstart corpus upload` process had only TRACEPARENT: the server span is the root's child.
    expect(upload.parentSpanId).toBe(root.spanId);
    // Ingest jobs run from the work queue, later and maybe in another replica: their spans join the
    // request that submitted them through the work item.
    expect(ancestry(tokenize)).toEqual([
      'ingest job tokenize',
      'process headstart.work.ingest',
      'send headstart.work.ingest',
      'grpc.headstart.ingest.v1.IngestService/StartTokenize',
      'corpus to fine-tune',
    ]);
    expect(ancestry(trainTokenizer).slice(1)).toEqual([
      'process headstart.work.ingest',
      'send headstart.work.ingest',
      'grpc.headstart.ingest.v1.IngestService/StartTrainTokenizer',
      'grpc.headstart.ingest.v1.IngestService/StartTrainTokenizer',
      'corpus to fine-tune',
    ]);
    // The fine-tune, back through the work queue, the trigger match, the outbox event, the checkpoint,
    // the pre-training run's work queue, to the StartRun call.
    expect(ancestry(job)).toEqual([
      'finetune job',
      'process headstart.work.finetune',
      'send headstart.work.finetune',
      'finetune triggers checkpointRegistered',
      'process headstart.events.registry.checkpoint_registered',
      'send headstart.events.registry.checkpoint_registered',
      'grpc.headstart.registry.v1.RegistryService/CreateVersion',
      'grpc.headstart.registry.v1.RegistryService/CreateVersion',
      'pretrain checkpoint',
      'pretrain run',
      'process headstart.work.pretrain',
      'send headstart.work.pretrain',
      'grpc.headstart.pretrain.v1.PretrainService/StartRun',
      'grpc.headstart.pretrain.v1.PretrainService/StartRun',
      'corpus to fine-tune',
    ]);
    expect(checkpoint.attributes).toMatchObject({ 'headstart.checkpoint.final': true });
    expect(job.attributes['headstart.job.id']).toEqual(expect.any(String));
  });

  it('every span of that trace has its parent in it (no broken link)', () => {
    const root = only('corpus to fine-tune');
    const inTrace = spans.filter((s) => s.traceId === root.traceId);
    const ids = new Set(inTrace.map((s) => s.spanId));
    expect(inTrace.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId))).toEqual([]);
  });
});

describe('headstart up --otel console', () => {
  it('prints the spans of a command given TRACEPARENT, in that trace, and stops on SIGINT', async () => {
    const main = path.join(__dirname, '..', 'dist', 'main.js');
    const home = path.join(dir.path, 'up-home');
    const free = ['registry', 'ingest', 'pretrain', 'finetune'].flatMap((s) => [`--${s}`, '127.0.0.1:0']);
    const child = spawn(
      process.execPath,
      [main, '--json', ...free, 'up', '--home', home, '--backend', 'cpu', '--otel', 'console'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // The status document comes first: a pretty-printed JSON object ending in a line `}`.
      const status = await new Promise<{ addresses: Record<string, string> }>((resolve, reject) => {
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (text: string) => {
          stdout += text;
          const end = stdout.indexOf('\n}\n');
          if (end >= 0)
            resolve(JSON.parse(stdout.slice(0, end + 2)) as { addresses: Record<string, string> });
        });
        void exited.then((code) => reject(new Error(`headstart up exited ${code} before it was ready`)));
      });
      const corpus = path.join(dir.path, 'up-corpus.txt');
      await fs.writeFile(corpus, 'one line of text\nanother line of text\n');
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      await promisify(execFile)(
        process.execPath,
        [
          main,
          '--registry',
          status.addresses['registry'] as string,
          '--ingest',
          status.addresses['ingest'] as string,
          'corpus',
          'upload',
          corpus,
          '--name',
          'up-corpus',
          '--format',
          'lines',
        ],
        { env: { ...process.env, TRACEPARENT: `00-${traceId}-00f067aa0ba902b7-01` }, timeout: 60_000 },
      );
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      // One line a span: the upload's server span is the child of TRACEPARENT's span, in its trace.
      const lines = stdout.split('\n').filter((l) => l.startsWith(`span trace=${traceId} `));
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^span trace=\w{32} id=\w{16} parent=00f067aa0ba902b7 server \d+\.\dms grpc\.headstart\.ingest\.v1\.IngestService\/UploadCorpus$/,
        ),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(
          / client \d+\.\dms grpc\.headstart\.registry\.v1\.RegistryService\/CreateVersion$/,
        ),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(/ producer \d+\.\dms send headstart\.events\.registry\.version_created$/),
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});
