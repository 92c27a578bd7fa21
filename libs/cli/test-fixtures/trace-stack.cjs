// Run by src/trace.integration.test.ts in a plain node process (the gRPC instrumentation hooks node's own
// require, which Jest's module system bypasses): telemetry first, with an in-memory span exporter, then
// the local stack `headstart up` starts, then the CLI's commands inside one root span, as a user's
// `TRACEPARENT` would carry them (two of them run as `headstart` processes with TRACEPARENT set, the
// way a user runs them against `headstart up`): upload a corpus, train a tokenizer, tokenize, upload a labelled file,
// create a trigger on the final checkpoint, pre-train a few steps, and wait for the fine-tune it
// triggered. Writes the finished spans as JSON to argv[2].
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { startTelemetry, getTracer, traceHeaders, withSpan } = require('@headstart/telemetry');
const telemetry = startTelemetry({ serviceName: 'headstart-up', exporter: 'memory' });
// Everything that loads @headstart/proto (and so builds gRPC client classes) comes after.
const { runCli } = require('../dist/program.js');
const { startLocalStack } = require('@headstart/pipeline');
const { createLogger } = require('@headstart/service-kit');
const { waitFor } = require('@headstart/testing');

const BILLING = ['charged', 'invoice', 'refund', 'payment', 'card', 'receipt', 'price', 'bill'];
const SHIPPING = ['parcel', 'delivery', 'courier', 'tracking', 'address', 'package', 'box', 'arrived'];
const sentence = (words, i) => `my ${words[i % 8]} and the ${words[(i * 3 + 1) % 8]} is wrong ${i}`;

async function main() {
  const out = process.argv[2];
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-stack-'));
  const corpus = path.join(home, 'corpus.txt');
  fs.writeFileSync(
    corpus,
    Array.from({ length: 200 }, (_, i) => sentence(i % 2 ? BILLING : SHIPPING, i)).join('\n'),
  );
  const tickets = path.join(home, 'tickets.csv');
  const rows = ['text,label'];
  for (let i = 0; i < 20; i++)
    rows.push(`${sentence(BILLING, i)},billing`, `${sentence(SHIPPING, i)},shipping`);
  fs.writeFileSync(tickets, rows.join('\n'));

  const logger = createLogger({ name: 'trace-stack', level: 'silent' });
  const stack = await startLocalStack({ home: path.join(home, 'stack'), backend: 'cpu', logger });
  let failure;
  try {
    const cli = async (...argv) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['--json', ...argv], {
        streams: {
          stdout: { write: (t) => (stdout += String(t)) },
          stderr: { write: (t) => (stderr += t) },
          stderrIsTTY: false,
        },
        defaultRegistry: stack.addresses.registry,
        defaultIngest: stack.addresses.ingest,
        defaultPretrain: stack.addresses.pretrain,
        defaultFinetune: stack.addresses.finetune,
      });
      if (code !== 0) throw new Error(`headstart ${argv.join(' ')} exited ${code}: ${stderr}`);
      return stdout;
    };
    // The binary, in its own process, with the trace context in TRACEPARENT.
    const main = path.join(__dirname, '..', 'dist', 'main.js');
    const headstart = (env, ...argv) =>
      promisify(execFile)(
        process.execPath,
        [main, '--registry', stack.addresses.registry, '--ingest', stack.addresses.ingest, ...argv],
        { env: { ...process.env, ...env }, timeout: 60_000 },
      );
    await withSpan(getTracer('trace-stack'), 'corpus to fine-tune', {}, async () => {
      const env = { TRACEPARENT: traceHeaders().traceparent };
      await headstart(
        env,
        'corpus',
        'upload',
        corpus,
        '--name',
        'traced-corpus',
        '--format',
        'lines',
        '--validation-fraction',
        '0.2',
      );
      await cli('tokenizer', 'train', 'traced-corpus', '--name', 'traced-wordpiece', '--vocab-size', '120');
      await headstart(env, 'tokenize', 'traced-corpus', 'traced-wordpiece', '--name', 'traced-shards');
      await cli('upload', 'traced-tickets', tickets, '--kind', 'dataset', '--meta', 'format=csv');
      await cli(
        'triggers',
        'create',
        'traced-bert',
        '--dataset',
        'traced-tickets',
        '--on',
        'final',
        '--epochs',
        '1',
        '--min-steps',
        '0',
        '--batch-size',
        '8',
      );
      // prettier-ignore
      await cli('pretrain', 'start', '--model', 'traced-bert', '--shards', 'traced-shards',
        '--d-model', '16', '--heads', '2', '--layers', '1', '--ff', '32', '--seq-len', '16', '--batch', '8',
        '--max-steps', '2', '--warmup', '1', '--eval-every', '2', '--eval-batches', '1', '--checkpoint-every', '2');
    });
    await waitFor(
      async () => {
        const { finetunes } = JSON.parse(await cli('finetune', 'ls', '--base', 'traced-bert'));
        return finetunes.some((f) => f.state === 'JOB_STATE_SUCCEEDED' || f.state === 'JOB_STATE_FAILED');
      },
      { timeoutMs: 120_000, message: 'the triggered fine-tune to end' },
    );
  } catch (err) {
    failure = err;
  } finally {
    await stack.shutdown();
  }
  await telemetry.forceFlush();
  const spans = telemetry.memoryExporter.getFinishedSpans().map((s) => ({
    name: s.name,
    kind: s.kind,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    start: s.startTime[0] * 1e3 + s.startTime[1] / 1e6,
    attributes: s.attributes,
  }));
  await telemetry.shutdown();
  fs.writeFileSync(
    out,
    JSON.stringify({ error: failure ? String(failure.stack ?? failure) : undefined, spans }),
  );
  fs.rmSync(home, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
