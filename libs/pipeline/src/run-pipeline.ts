// The main job, stage by stage: local stack → shipped data → ingest (corpus, tokenizer, shards) → the
// labelled task → triggers → pre-training → (the final checkpoint fires the triggers) → fine-tunes →
// predictions → report. Each stage is a function in stages/; this file only wires and times them.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import type { BackendChoice } from '@headstart/compute';
import type { Logger } from '@headstart/service-kit';

import { startLocalStack, type LocalStack } from './local-stack';
import { allVersions, lineageOf } from './report/collect';
import { buildReport } from './report/build-report';
import { formatReport } from './report/format-report';
import { formatSummary } from './report/format-summary';
import type { PipelineReport } from './report/report-types';
import { createPlainReporter } from './reporter/plain-reporter';
import type { Reporter } from './reporter/reporter';
import { inputsTag } from './reuse';
import { DEMO_SCALE, PIPELINE_NAMES, adaptedModelName, type PipelineScale } from './scale';
import { awaitFinetunes } from './stages/await-finetunes';
import { createTriggers } from './stages/create-triggers';
import { ingestCorpus } from './stages/ingest-corpus';
import { predict } from './stages/predict';
import { prepareData } from './stages/prepare-data';
import { runPretraining } from './stages/pretrain-run';
import { registerTask } from './stages/register-task';
import { shardsBaseline } from './stages/shards-baseline';
import { awaitStudies } from './stages/await-studies';
import { orderStudies } from './report/adaptation-summary';
import { awaitAdaptation, createAdaptationTrigger, prepareAdaptationShards } from './stages/adaptation';
import { createStudyTriggers } from './stages/study-triggers';
import { registerStudyTasks, type StudiedTask } from './stages/study-tasks';

export interface PipelineOptions {
  /** Root of every local file (see LocalStackOptions.home); reports go to `<home>/reports`. */
  home: string;
  /** Use this NATS instead of starting a local nats-server. */
  natsUrl?: string | undefined;
  /** TF.js backend of the workers and predictions. @default 'auto' */
  backend?: BackendChoice | undefined;
  logger: Logger;
  /** How big everything is. @default DEMO_SCALE (config A, the whole shipped data, 12 minutes of pre-training) */
  scale?: PipelineScale | undefined;
  /** Where the shipped data is built (kept across runs: a second build is instant). @default `<home>/data` */
  dataDir?: string | undefined;
  /** Run on this stack and leave it running (tests inspect it afterwards). @default a new local stack, shut down at the end */
  stack?: LocalStack | undefined;
  /** Stops waiting and shuts the stack down; a pre-training run in progress is checkpointed and resumes next time. */
  signal?: AbortSignal | undefined;
  /** What people see: stages and progress. @default log lines through `logger` (createPlainReporter) */
  reporter?: Reporter | undefined;
}

export interface PipelineResult {
  report: PipelineReport;
  /** The report for people, in full (also written to `textFile`). */
  text: string;
  /** What a terminal shows at the end: the verdict and the studies' numbers. */
  summary: string;
  /** The JSON report's path. */
  reportFile: string;
  /** The full text report's path. */
  textFile: string;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const stack =
    options.stack ??
    (await startLocalStack({
      home: options.home,
      natsUrl: options.natsUrl,
      backend: options.backend,
      logger: options.logger,
    }));
  try {
    return await runStages(stack, options);
  } finally {
    if (!options.stack) await stack.shutdown();
  }
}

async function runStages(stack: LocalStack, options: PipelineOptions): Promise<PipelineResult> {
  const { home, logger, signal } = options;
  const reporter = options.reporter ?? createPlainReporter(logger);
  const scale = options.scale ?? DEMO_SCALE;
  const names = PIPELINE_NAMES;
  const workDir = path.join(home, 'work');
  const startedAt = new Date();
  const stages: PipelineReport['stages'] = [];
  const stage = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    if (signal?.aborted) throw new Error('the pipeline was cancelled');
    reporter.stageStarted(name, stages.length + 1);
    const started = performance.now();
    const result = await run();
    const seconds = (performance.now() - started) / 1000;
    stages.push({ stage: name, seconds });
    reporter.stageFinished(name, seconds);
    return result;
  };
  const stageLogger = (name: string) => logger.child({ stage: name });

  const data = await stage('data', () =>
    prepareData(options.dataDir ?? path.join(home, 'data'), workDir, scale, stageLogger('data')),
  );
  const ingested = await stage('ingest', () =>
    ingestCorpus(
      stack.registry,
      stack.ingest,
      { corpusFile: data.corpusFile, vocabSize: scale.tokenizerVocab, names, signal },
      stageLogger('ingest'),
      reporter,
    ),
  );
  const { task, reused: taskReused } = await stage('task', () =>
    registerTask(stack.registry, data.taskFile, names.task, stageLogger('task')),
  );
  const studied = await stage('study tasks', () =>
    registerStudyTasks(stack, data, scale, stageLogger('task')),
  );
  const adaptation = scale.adaptation;
  const adaptedName = adaptation ? adaptedModelName(names) : '';
  const adaptationText = adaptation
    ? await stage('adaptation text', async () => {
        const log = stageLogger('adaptation');
        const taskFile = data.taskFiles[adaptation.task];
        const { task: dataset } = await registerTask(
          stack.registry,
          taskFile,
          names.tasks[adaptation.task],
          log,
        );
        return prepareAdaptationShards(
          { registry: stack.registry, ingest: stack.ingest },
          { task: dataset, tokenizer: ingested.tokenizer, signal },
          log,
          reporter,
        );
      })
    : undefined;
  const triggerKey = inputsTag('triggers', { task: task.id, finetune: scale.finetune });
  const triggers = await stage('triggers', () =>
    createTriggers(
      stack.finetune,
      { baseModelName: names.base, task, settings: scale.finetune, key: triggerKey, signal },
      stageLogger('triggers'),
    ),
  );
  const studyKey = inputsTag('studies', { tasks: studied.map((t) => t.dataset.id), studies: scale.studies });
  const onAdapted = (t: StudiedTask) => t.study.base === 'adapted';
  if (!adaptation && studied.some(onAdapted)) {
    throw new Error('a study of the adapted base needs scale.adaptation');
  }
  const studyTriggers = await stage('study triggers', async () => ({
    general: await createStudyTriggers(
      stack.finetune,
      { baseModelName: names.base, tasks: studied.filter((t) => !onAdapted(t)), key: studyKey, signal },
      stageLogger('triggers'),
    ),
    adapted: adaptation
      ? await createStudyTriggers(
          stack.finetune,
          { baseModelName: adaptedName, tasks: studied.filter(onAdapted), key: studyKey, signal },
          stageLogger('triggers'),
        )
      : [],
  }));
  const adaptationKey =
    adaptation && adaptationText
      ? inputsTag('adaptation', { shards: adaptationText.shards.id, adaptation, studies: studyKey })
      : '';
  if (adaptation && adaptationText) {
    await stage('adaptation trigger', () =>
      createAdaptationTrigger(
        stack.finetune,
        {
          baseModelName: names.base,
          adaptedModelName: adaptedName,
          shards: adaptationText.shards,
          adaptation,
          pretrain: scale.pretrain,
          key: adaptationKey,
          signal,
        },
        stageLogger('triggers'),
      ),
    );
  }
  const vocabSize = ingested.shards.metrics['vocab_size'] ?? scale.tokenizerVocab;
  const pretrainKey = inputsTag('pretrain', {
    shards: ingested.shards.id,
    model: scale.model,
    pretrain: scale.pretrain,
    triggers: triggerKey,
    studies: studyKey,
    adaptation: adaptationKey,
  });
  const pretrained = await stage('pretrain', () =>
    runPretraining(
      stack.pretrain,
      stack.registry,
      { modelName: names.base, shards: ingested.shards, vocabSize, scale, key: pretrainKey, signal },
      stageLogger('pretrain'),
      reporter,
    ),
  );
  const checkpoint = await stack.registry.getVersion({
    name: names.base,
    selector: { $case: 'version', version: pretrained.run.finalVersion },
  });
  const jobs = await stage('finetune', () =>
    awaitFinetunes(stack.finetune, triggers, checkpoint, stageLogger('finetune'), { signal, reporter }),
  );
  const adapted = adaptation
    ? await stage('adaptation', () =>
        awaitAdaptation(
          { pretrain: stack.pretrain, registry: stack.registry },
          { adaptedModelName: adaptedName, base: checkpoint, signal },
          stageLogger('adaptation'),
          reporter,
        ),
      )
    : undefined;
  const reportsDir = path.join(home, 'reports');
  const studies = await stage('studies', async () => {
    const general = await awaitStudies(
      stack.finetune,
      stack.registry,
      { triggers: studyTriggers.general, checkpoint, reportsDir, signal, reporter },
      stageLogger('studies'),
    );
    const ofAdapted = adapted
      ? await awaitStudies(
          stack.finetune,
          stack.registry,
          { triggers: studyTriggers.adapted, checkpoint: adapted.checkpoint, reportsDir, signal, reporter },
          stageLogger('studies'),
        )
      : [];
    return orderStudies(scale.studies, general, ofAdapted, adaptation !== undefined);
  });
  const resultRef = jobs.pretrained.job.resultVersion;
  if (!resultRef)
    throw new Error(`fine-tune ${jobs.pretrained.job.id} succeeded without a registered version`);
  const predictions = await stage('predict', () =>
    predict(
      stack.finetune,
      {
        finetuned: { name: resultRef.modelName, selector: { $case: 'version', version: resultRef.version } },
        base: { name: checkpoint.modelName, selector: { $case: 'version', version: checkpoint.version } },
        taskFile: data.taskFile,
        count: scale.classifyTexts,
        signal,
      },
      stageLogger('predict'),
    ),
  );
  const [unigram, versions, lineage, currentTriggers] = await stage('report', () =>
    Promise.all([
      shardsBaseline(stack.registry, ingested.shards, workDir),
      allVersions(stack.registry),
      lineageOf(stack.registry, { name: resultRef.modelName, version: resultRef.version }),
      stack.finetune.listTriggers(names.base),
    ]),
  );
  const report = buildReport({
    startedAt,
    stages,
    home,
    stack,
    scale,
    data,
    ingested,
    task: { version: task, reused: taskReused },
    pretrained,
    checkpoint,
    triggers,
    currentTriggers,
    jobs,
    adaptation:
      adaptation && adapted && adaptationText ? { text: adaptationText, adapted, adaptedName } : undefined,
    studies,
    predictions,
    unigram,
    versions,
    lineage,
  });
  const stem = path.join(home, 'reports', `pipeline-${report.finishedAt.replace(/[:.]/g, '-')}`);
  const reportFile = `${stem}.json`;
  const textFile = `${stem}.txt`;
  const text = formatReport(report, reportFile);
  await writeReportFiles(path.dirname(stem), path.basename(stem), {
    json: `${JSON.stringify(report, null, 2)}\n`,
    txt: `${text}\n`,
  });
  logger.info({ reportFile, textFile, verdict: report.verdict }, 'pipeline finished');
  return {
    report,
    text,
    summary: formatSummary(report, { text: textFile, json: reportFile }),
    reportFile,
    textFile,
  };
}

/** `<dir>/<stem>.json` and `.txt`, and copies as `latest.json` and `latest.txt`; each written atomically. */
async function writeReportFiles(
  dir: string,
  stem: string,
  contents: { json: string; txt: string },
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [extension, content] of Object.entries(contents)) {
    for (const target of [path.join(dir, `${stem}.${extension}`), path.join(dir, `latest.${extension}`)]) {
      const temp = `${target}.${process.pid}.tmp`;
      await fs.writeFile(temp, content);
      await fs.rename(temp, target);
    }
  }
}
