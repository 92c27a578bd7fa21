// The main job end to end at tiny scale: the same runPipeline `make demo` runs, on a subset of the
// shipped data with a tiny tokenizer, model and budgets, against real services in this process and a
// real nats-server. The stack is left running so the test can check what the pipeline claims.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import {
  TINY_SCALE,
  runPipeline,
  startLocalStack,
  type LocalStack,
  type PipelineResult,
  type PipelineScale,
} from '@headstart/pipeline';
import { registry } from '@headstart/proto';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, shippedDataDir, type TempDir } from '@headstart/testing';

jest.setTimeout(300_000);

const { ModelKind } = registry;

const TINY: PipelineScale = TINY_SCALE;

const logger = createLogger({
  name: 'pipeline-e2e',
  level: process.env['HEADSTART_TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent',
});

let dir: TempDir;
let stack: LocalStack;
let first: PipelineResult;

async function versionsOf(name: string): Promise<registry.ModelVersion[]> {
  const found: registry.ModelVersion[] = [];
  for await (const v of stack.registry.searchVersions({ modelName: name })) found.push(v);
  return found.sort((a, b) => a.version - b.version);
}

const ref = (name: string, version: number) => ({ name, selector: { $case: 'version' as const, version } });

function parent(version: registry.ModelVersion, relation: string): registry.ParentLink {
  const link = version.parents.find((p) => p.relation === relation);
  if (!link) throw new Error(`${version.modelName}:${version.version} has no ${relation} parent`);
  return link;
}

beforeAll(async () => {
  dir = await makeTempDir('pipeline-e2e');
  const home = path.join(dir.path, 'home');
  stack = await startLocalStack({ home, backend: 'cpu', logger });
  first = await runPipeline({ home, logger, scale: TINY, stack, dataDir: shippedDataDir() });
});

afterAll(async () => {
  await stack?.shutdown();
  await dir?.remove();
});

describe('the main job at tiny scale', () => {
  it('registers every stage with its kind and the lineage fine-tuned → base → shards → tokenizer → corpus', async () => {
    const [corpus] = await versionsOf('english-corpus');
    const [tokenizer] = await versionsOf('english-wordpiece');
    const [shards] = await versionsOf('english-shards');
    const [task] = await versionsOf('spam-assassin');
    const checkpoints = await versionsOf('headstart-bert-mini');
    const [finetuned] = await versionsOf('headstart-bert-mini-spam-assassin');
    const [scratch] = await versionsOf('headstart-bert-mini-spam-assassin-scratch');
    expect([corpus, tokenizer, shards, task, finetuned, scratch].map((v) => v?.kind)).toEqual([
      ModelKind.MODEL_KIND_DATASET,
      ModelKind.MODEL_KIND_TOKENIZER,
      ModelKind.MODEL_KIND_DATASET,
      ModelKind.MODEL_KIND_DATASET,
      ModelKind.MODEL_KIND_FINETUNED_MODEL,
      ModelKind.MODEL_KIND_FINETUNED_MODEL,
    ]);
    // Checkpoints every 3 steps of 6; only the last is final.
    expect(checkpoints.map((v) => [v.kind, v.metadata['step'], v.metadata['final']])).toEqual([
      [ModelKind.MODEL_KIND_BASE_MODEL, '3', 'false'],
      [ModelKind.MODEL_KIND_BASE_MODEL, '6', 'true'],
    ]);
    const final = checkpoints[1] as registry.ModelVersion;
    expect(final.aliases).toContain('final');

    const ft = finetuned as registry.ModelVersion;
    expect(parent(ft, 'finetuned_from').versionId).toBe(final.id);
    expect(parent(ft, 'trained_on').versionId).toBe(task?.id);
    // The control trains the same architecture from random weights: it takes only the shape from the base.
    expect(parent(scratch as registry.ModelVersion, 'architecture_from').versionId).toBe(final.id);
    expect((scratch as registry.ModelVersion).parents.some((p) => p.relation === 'finetuned_from')).toBe(
      false,
    );
    expect(parent(final, 'trained_on').versionId).toBe(shards?.id);
    expect(parent(shards as registry.ModelVersion, 'tokenized_with').versionId).toBe(tokenizer?.id);
    expect(parent(shards as registry.ModelVersion, 'derived_from').versionId).toBe(corpus?.id);
    expect(parent(tokenizer as registry.ModelVersion, 'trained_on').versionId).toBe(corpus?.id);
    expect(tokenizer?.metrics['vocab_size']).toBeLessThanOrEqual(200);

    // The registry's own lineage query reaches the corpus from the fine-tuned model.
    const lineage = await stack.registry.getLineage(ref(ft.modelName, ft.version), {
      direction: 'ancestors',
    });
    expect(lineage.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining([final.id, shards?.id, tokenizer?.id, corpus?.id, task?.id]),
    );
    expect(first.report.lineage.chain).toEqual([
      `${ft.modelName}:${ft.version}`,
      `headstart-bert-mini:${final.version}`,
      `english-shards:${shards?.version}`,
      `english-wordpiece:${tokenizer?.version}`,
      `english-corpus:${corpus?.version}`,
    ]);
  });

  it('fires each trigger exactly once, on the final checkpoint only', async () => {
    const all = await stack.finetune.listTriggers('headstart-bert-mini');
    // The fine-tune pair, the general base's study and the adaptation.
    expect(all).toHaveLength(4);
    const triggers = all.filter((t) => t.study === undefined && t.adaptation === undefined);
    expect(triggers.map((t) => t.spec?.fromScratch).sort()).toEqual([false, true]);
    const final = await stack.registry.getVersion('headstart-bert-mini@final');
    for (const trigger of triggers) {
      expect(trigger.firedCount).toBe(1);
      const jobs = await stack.finetune.listAllFinetunes({ triggerId: trigger.id });
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.baseVersion?.versionId).toBe(final.id);
      expect(jobs[0]?.trainExamples).toBe(20);
    }
    expect(first.report.finetune.pretrained.jobsForCheckpoint).toBe(1);
    expect(first.report.finetune.scratch.jobsForCheckpoint).toBe(1);
  });

  it('adapts the base to the task text through a trigger, and studies both bases', async () => {
    const final = await stack.registry.getVersion('headstart-bert-mini@final');
    const adapted = await stack.registry.getVersion('headstart-bert-mini-adapted@final');
    const [dictionary] = await versionsOf('dictionary-domains');
    const [text] = await versionsOf('dictionary-domains-text');
    const [textShards] = await versionsOf('dictionary-domains-text-shards');
    const [tokenizer] = await versionsOf('english-wordpiece');
    // general base → continued on the task's training texts (no labels, no dev or test) → adapted base
    expect(parent(adapted, 'continued_from').versionId).toBe(final.id);
    expect(parent(adapted, 'trained_on').versionId).toBe(textShards?.id);
    expect(parent(textShards as registry.ModelVersion, 'tokenized_with').versionId).toBe(tokenizer?.id);
    expect(parent(textShards as registry.ModelVersion, 'derived_from').versionId).toBe(text?.id);
    expect(parent(text as registry.ModelVersion, 'derived_from').versionId).toBe(dictionary?.id);
    expect(text?.metadata['includes_eval_splits']).toBe('false');
    expect(first.report.adaptation).toMatchObject({
      task: 'dictionary-domains',
      from: `headstart-bert-mini:${final.version}`,
      checkpoint: `headstart-bert-mini-adapted:${adapted.version}`,
      steps: 4,
      tokens: 4 * 8 * 16,
    });
    // The adapted base's fine-tunes paired with the general base's by seed, at the budget both ran.
    const [gain] = first.report.adaptation?.gains ?? [];
    expect(gain).toMatchObject({ budget: 10, seeds: [1, 2] });
    expect(gain?.accuracy.n).toBe(2);
    expect(first.text).toMatch(/adapted − general base: [+-]\d+\.\d points accuracy at 10 labels/);
    const [trigger] = (await stack.finetune.listTriggers('headstart-bert-mini')).filter((t) => t.adaptation);
    expect(trigger).toMatchObject({ firedCount: 1, lastError: '' });
  });

  it('lets the final checkpoints start the transfer studies and writes their report files', async () => {
    const [study, general] = first.report.studies;
    expect(first.report.studies).toHaveLength(2);
    expect(study).toMatchObject({
      task: 'dictionary-domains, adapted base',
      state: 'SUCCEEDED',
      budgets: [10, 0],
      seeds: 2,
    });
    expect(general).toMatchObject({
      task: 'dictionary-domains, general base',
      state: 'SUCCEEDED',
      trials: 2,
    });
    expect(general?.verdict).toMatch(/this study ran no from-scratch arm/);
    expect(study?.trials).toBe(16);
    expect(study?.verdict).toMatch(/at 10 labels .*95% CI|at 10 labels/);
    expect(first.report.verdict).toContain(`dictionary-domains, adapted base: ${study?.verdict}`);
    expect(first.text).toContain(study?.table);
    const files = (await fs.readdir(study?.folder as string)).sort();
    expect(files).toEqual([
      'accuracy.svg',
      'macro-f1.svg',
      'paired-difference.svg',
      'report.md',
      'study.json',
    ]);
    const [reportVersion] = await versionsOf('headstart-bert-mini-adapted-dictionary-domains-study');
    expect(reportVersion?.kind).toBe(ModelKind.MODEL_KIND_REPORT);
    const final = await stack.registry.getVersion('headstart-bert-mini-adapted@final');
    expect(parent(reportVersion as registry.ModelVersion, 'studied').versionId).toBe(final.id);
    const [dictionary] = await versionsOf('dictionary-domains');
    expect(parent(reportVersion as registry.ModelVersion, 'evaluated_on').versionId).toBe(dictionary?.id);
  });

  it('classifies with the labels of the task', async () => {
    const response = await stack.finetune.classify(ref('headstart-bert-mini-spam-assassin', 1), [
      'Subject: cheap meds\nBuy now, limited offer!!!',
      'Subject: Re: meeting\nSee you at the review tomorrow.',
    ]);
    expect(response.labels).toEqual(['ham', 'spam']);
    expect(response.predictions).toHaveLength(2);
    for (const p of response.predictions) {
      expect(['ham', 'spam']).toContain(p.label);
      expect((p.probabilities['ham'] ?? 0) + (p.probabilities['spam'] ?? 0)).toBeCloseTo(1, 5);
    }
    const classified = first.report.predictions.classified;
    expect(classified).toHaveLength(4);
    expect(classified.map((c) => c.expected).sort()).toEqual(['ham', 'ham', 'spam', 'spam']);
    for (const c of classified) expect(['ham', 'spam']).toContain(c.predicted);
    expect(first.report.predictions.fillMask.candidates).toHaveLength(5);
  });

  it('writes the report JSON with the comparison, the baseline and a verdict', async () => {
    const saved = JSON.parse(await fs.readFile(first.reportFile, 'utf8')) as typeof first.report;
    expect(saved.format).toBe('headstart.pipeline-report/v1');
    const { pretrained, scratch, delta, labelBudget } = saved.finetune;
    expect(labelBudget).toBe(20);
    expect(pretrained.fromScratch).toBe(false);
    expect(scratch.fromScratch).toBe(true);
    for (const s of [pretrained, scratch]) {
      expect(s.testExamples).toBe(24);
      expect(s.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(s.testAccuracy).toBeLessThanOrEqual(1);
      expect(s.testMacroF1).toBeGreaterThanOrEqual(0);
    }
    expect(delta.macroF1).toBeCloseTo(pretrained.testMacroF1 - scratch.testMacroF1, 10);
    expect(saved.pretrain).toMatchObject({ steps: 6, tokens: 6 * 8 * 16, origin: 'new' });
    expect(saved.pretrain.curve.map((c) => c.step)).toEqual([3, 6]);
    expect(saved.pretrain.unigram.trainEntropy).toBeGreaterThan(0);
    expect(saved.pretrain.unigram.validationCrossEntropy).toBeGreaterThan(0);
    expect(saved.pretrain.finalEvalLoss).toBeGreaterThan(0);
    expect(saved.verdict).toMatch(/^dictionary-domains, adapted base: /);
    expect(saved.versions.length).toBeGreaterThanOrEqual(8);
    expect(first.text).toContain(saved.verdict);
    // The full text is saved beside the JSON; a terminal shows the short summary.
    expect(await fs.readFile(first.textFile, 'utf8')).toBe(`${first.text}\n`);
    expect(first.summary.split('\n').length).toBeLessThan(40);
    expect(first.summary).toContain(saved.verdict.split('\n')[0]);
    expect(first.summary).toMatch(/dictionary-domains, adapted base\s+10\s+\d+\.\d/);
    expect(first.summary).toContain(`full report: ${first.textFile}`);
    const [adaptedStudy] = saved.studies;
    expect(adaptedStudy?.results.map((r) => r.budget)).toEqual([10, 0]);
    expect(Object.keys(adaptedStudy?.results[0]?.arms ?? {}).sort()).toEqual([
      'logistic_regression',
      'naive_bayes',
      'pretrained',
      'scratch',
    ]);
  });

  it('reuses everything when run again with the same inputs: no new version, run or fine-tune', async () => {
    const before = first.report.versions.map((v) => v.ref);
    const again = await runPipeline({
      home: stack.home,
      logger,
      scale: TINY,
      stack,
      dataDir: shippedDataDir(),
    });
    expect(again.report.versions.map((v) => v.ref)).toEqual(before);
    expect(again.report.pretrain).toMatchObject({ runId: first.report.pretrain.runId, origin: 'earlier' });
    expect(again.report.pretrain.curve.map((c) => c.step)).toEqual([3, 6]);
    expect(again.report.finetune.pretrained.jobId).toBe(first.report.finetune.pretrained.jobId);
    expect(again.report.finetune.scratch.jobId).toBe(first.report.finetune.scratch.jobId);
    expect(again.report.studies.map((s) => s.studyId)).toEqual(first.report.studies.map((s) => s.studyId));
    expect(again.report.adaptation?.runId).toBe(first.report.adaptation?.runId);
    expect(again.report.reused).toEqual([
      'english-corpus:1',
      'english-wordpiece:1',
      'english-shards:1',
      'spam-assassin:1',
      'dictionary-domains-text:1',
      'dictionary-domains-text-shards:1',
      `pre-training run ${first.report.pretrain.runId}`,
    ]);
  });
});
