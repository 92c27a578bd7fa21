// The main job's report from what its stages produced: every number the JSON and the text reports show,
// gathered in one place so run-pipeline.ts only wires stages.
import type { finetune, registry } from '@headstart/proto';

import type { LocalStack } from '../local-stack';
import { label } from '../reuse';
import type { PipelineScale } from '../scale';
import type { AdaptedBase, AdaptationShards } from '../stages/adaptation';
import type { TriggeredJob } from '../stages/await-finetunes';
import type { StudyOutcome } from '../stages/await-studies';
import type { PipelineTriggers } from '../stages/create-triggers';
import type { IngestedCorpus } from '../stages/ingest-corpus';
import type { Predictions } from '../stages/predict';
import type { PipelineData } from '../stages/prepare-data';
import type { PretrainOutcome } from '../stages/pretrain-run';
import type { UnigramStats } from '../stages/unigram';
import { describeGain } from './adaptation';
import { adaptationGains, adaptationReport } from './adaptation-summary';
import { finetuneSummary } from './collect';
import {
  REPORT_FORMAT,
  type AdaptationReport,
  type PipelineReport,
  type VersionSummary,
} from './report-types';
import { studySummary, studyVerdict } from './studies';
import { verdict } from './verdict';

export interface ReportInputs {
  startedAt: Date;
  stages: PipelineReport['stages'];
  home: string;
  stack: Pick<LocalStack, 'backend'>;
  scale: PipelineScale;
  data: PipelineData;
  ingested: IngestedCorpus;
  task: { version: registry.ModelVersion; reused: boolean };
  pretrained: PretrainOutcome;
  checkpoint: registry.ModelVersion;
  triggers: PipelineTriggers;
  /** The base model's triggers as listed at the end (their fired counts). */
  currentTriggers: finetune.Trigger[];
  jobs: { pretrained: TriggeredJob; scratch: TriggeredJob };
  adaptation: { text: AdaptationShards; adapted: AdaptedBase; adaptedName: string } | undefined;
  studies: StudyOutcome[];
  predictions: Predictions;
  unigram: UnigramStats;
  versions: VersionSummary[];
  lineage: { tree: string[]; chain: string[] };
}

/** What an earlier run had made and this one reused. */
function reusedParts(inputs: ReportInputs): string[] {
  const { ingested, task, adaptation, pretrained } = inputs;
  return [
    ...(ingested.reused.corpus ? [label(ingested.corpus)] : []),
    ...(ingested.reused.tokenizer ? [label(ingested.tokenizer)] : []),
    ...(ingested.reused.shards ? [label(ingested.shards)] : []),
    ...(task.reused ? [label(task.version)] : []),
    ...(adaptation?.text.reused.corpus ? [label(adaptation.text.corpus)] : []),
    ...(adaptation?.text.reused.shards ? [label(adaptation.text.shards)] : []),
    ...(pretrained.origin === 'earlier' ? [`pre-training run ${pretrained.run.id}`] : []),
  ];
}

export function buildReport(inputs: ReportInputs): PipelineReport {
  const { stages, home, stack, scale, data, ingested, pretrained, checkpoint, triggers, jobs } = inputs;
  const { studies, predictions, unigram, versions, lineage } = inputs;
  const run = pretrained.run;
  const fired = (id: string) => inputs.currentTriggers.find((t) => t.id === id)?.firedCount ?? 0;
  const pretrainedSummary = finetuneSummary(jobs.pretrained, fired(triggers.pretrained.id));
  const scratchSummary = finetuneSummary(jobs.scratch, fired(triggers.scratch.id));
  const evalLoss = checkpoint.metrics['eval_loss'] ?? run.evalLoss;
  const finishedAt = new Date();
  const adaptation = scale.adaptation;
  const adapted =
    adaptation && inputs.adaptation
      ? adaptationReport(
          adaptation.task,
          inputs.adaptation.text,
          inputs.adaptation.adapted,
          adaptationGains(studies, inputs.adaptation.adaptedName, adaptation.task),
        )
      : undefined;
  return {
    format: REPORT_FORMAT,
    startedAt: inputs.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - inputs.startedAt.getTime()) / 1000,
    stages,
    home,
    backend: { name: stack.backend.name, kind: stack.backend.kind, threads: stack.backend.threads },
    scale,
    data: { corpusFile: data.corpusFile, taskFile: data.taskFile, subset: data.subset },
    corpus: {
      version: label(ingested.corpus),
      documents: ingested.corpus.metrics['documents'] ?? 0,
      trainDocuments: ingested.corpus.metrics['train_documents'] ?? 0,
      validationDocuments: ingested.corpus.metrics['validation_documents'] ?? 0,
      bytes: ingested.corpus.metrics['bytes'] ?? 0,
    },
    tokenizer: {
      version: label(ingested.tokenizer),
      vocabSize: ingested.tokenizer.metrics['vocab_size'] ?? 0,
    },
    shards: {
      version: label(ingested.shards),
      trainTokens: ingested.shards.metrics['train_tokens'] ?? 0,
      validationTokens: ingested.shards.metrics['validation_tokens'] ?? 0,
    },
    reused: reusedParts(inputs),
    pretrain: {
      runId: run.id,
      origin: pretrained.origin,
      finalCheckpoint: label(checkpoint),
      steps: run.step,
      tokens: run.tokensSeen,
      parameters: run.parameters,
      backend: run.backend,
      trainingSeconds: pretrained.trainingSeconds,
      tokensPerSecond: pretrained.trainingSeconds > 0 ? run.tokensSeen / pretrained.trainingSeconds : NaN,
      plan: pretrained.plan,
      finalEvalLoss: evalLoss,
      finalPerplexity: Math.exp(evalLoss),
      bestEvalLoss: run.bestEvalLoss,
      unigram,
      curve: pretrained.curve,
    },
    finetune: {
      labelBudget: scale.finetune.labelBudget,
      pretrained: pretrainedSummary,
      scratch: scratchSummary,
      delta: {
        accuracy: pretrainedSummary.testAccuracy - scratchSummary.testAccuracy,
        macroF1: pretrainedSummary.testMacroF1 - scratchSummary.testMacroF1,
      },
    },
    predictions,
    studies: studies.map(studySummary),
    adaptation: adapted,
    lineage,
    versions,
    verdict:
      withAdaptation(studyVerdict(studies), adapted) ??
      verdict({
        labelBudget: scale.finetune.labelBudget,
        pretrainTokens: run.tokensSeen,
        pretrained: { accuracy: pretrainedSummary.testAccuracy, macroF1: pretrainedSummary.testMacroF1 },
        scratch: { accuracy: scratchSummary.testAccuracy, macroF1: scratchSummary.testMacroF1 },
        evalLoss,
        unigramCrossEntropy: unigram.validationCrossEntropy,
      }),
  };
}

/** The studies' verdict, and what the adaptation bought on its task (paired with the general base). */
function withAdaptation(
  studies: string | undefined,
  adapted: AdaptationReport | undefined,
): string | undefined {
  const gains = adapted?.gains ?? [];
  if (studies === undefined || gains.length === 0) return studies;
  return [studies, ...gains.map((g) => `${adapted?.task}, adapted − general base: ${describeGain(g)}`)].join(
    '\n',
  );
}
