// The fine-tune recipe sweep: every entry of a grid (grids.ts) × seeds on one labelled task and label
// budget, fine-tuned in-process from a base in a local Headstart home, scored on the dev split (test only
// with --test, for the final look). Paired by seed: the same label draw, head init and data order for every
// entry. Prints each entry's dev accuracy / macro-F1 (mean, 95% CI) and its paired difference with the
// grid's first entry; appends every trial to a JSON-lines file and skips trials already there, so an
// interrupted sweep continues where it stopped.
// Usage: node dist/sweep/main.js --task FILE.jsonl [--home DIR] [--model NAME] [--grid recipe]
//        [--budget 200] [--seeds 5] [--only NAME,...] [--test] [--threads N] [--out FILE]
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { readCheckpoint } from '@headstart/checkpoint';
import { selectBackend } from '@headstart/compute';
import { parseDataset } from '@headstart/finetune/internal';
import { Tokenizer } from '@headstart/tokenizer';
import { GRIDS, type SweepEntry } from './grids';
import { loadHomeBase } from './home-base';
import { printSweepTable, type SweepRecord } from './report';
import { runTrial } from './trial';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

function readRecords(file: string): SweepRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SweepRecord);
}

async function main(): Promise<void> {
  const taskFile = resolve(arg('task', ''));
  const home = resolve(arg('home', join(__dirname, '..', '..', '..', '..', '.headstart')));
  const modelName = arg('model', 'headstart-bert-mini');
  const gridName = arg('grid', 'recipe');
  const budget = Number(arg('budget', '200'));
  const seeds = Array.from({ length: Number(arg('seeds', '5')) }, (_, i) => i + 1);
  const only = arg('only', '');
  const withTest = process.argv.includes('--test');
  const task = basename(taskFile, '.jsonl');
  const out = resolve(
    arg('out', join(__dirname, '..', '..', 'results', `sweep-${task}-${gridName}-${budget}.jsonl`)),
  );
  const grid = (GRIDS[gridName] ?? []).filter((e) => only === '' || only.split(',').includes(e.name));
  if (grid.length === 0) throw new Error(`unknown grid ${gridName} (or --only matched nothing)`);

  const backend = await selectBackend({
    backend: 'cpu',
    threads: Number(arg('threads', String(cpus().length))),
  });
  const base = await loadHomeBase(home, modelName);
  const checkpoint = await readCheckpoint(base.checkpoint);
  const tokenizer = Tokenizer.fromJSON(base.tokenizerJson);
  const dataset = parseDataset(readFileSync(taskFile), { format: 'jsonl' });
  console.log(
    `sweep ${gridName} on ${task}, ${budget} labels, seeds ${seeds.join(',')}, base ${base.label}, ` +
      `backend ${backend.name}, CPU ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0]?.toFixed(2)}`,
  );
  mkdirSync(dirname(out), { recursive: true });
  const done = readRecords(out);
  const key = (e: SweepEntry, seed: number) => `${e.name}|${seed}|${budget}|${withTest}|${base.label}`;
  const seen = new Set(done.map((r) => `${r.entry}|${r.seed}|${r.budget}|${r.test}|${r.base}`));
  for (const seed of seeds) {
    for (const entry of grid) {
      if (seen.has(key(entry, seed))) continue;
      const result = await runTrial({
        dataset,
        tokenizer,
        loadBase: checkpoint.loadModel,
        hyperparameters: entry.hyperparameters,
        fromScratch: entry.fromScratch,
        labelBudget: budget,
        seed,
        test: withTest,
      });
      const record: SweepRecord = {
        entry: entry.name,
        seed,
        budget,
        test: withTest,
        base: base.label,
        task,
        ...result,
      };
      appendFileSync(out, `${JSON.stringify(record)}\n`);
      done.push(record);
      console.log(
        `  seed ${seed} ${entry.name}: dev acc ${(100 * result.devAccuracy).toFixed(1)} ` +
          `macro-F1 ${(100 * result.devMacroF1).toFixed(1)} (${result.steps}/${result.totalSteps} steps, ` +
          `${result.seconds.toFixed(1)} s)`,
      );
    }
  }
  const mine = done.filter((r) => r.budget === budget && r.test === withTest && r.base === base.label);
  printSweepTable(
    grid.map((e) => e.name),
    mine,
    withTest,
  );
  console.log(`trials: ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
