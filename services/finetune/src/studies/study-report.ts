// The end of a study: its trials summarised by @headstart/study (paired differences, verdict), rendered
// as study.json, report.md and SVG figures, packed in one tar and registered as a REPORT version whose
// parents are the base ("studied") and the dataset ("evaluated_on"). The study id is the idempotency key,
// so a finalisation repeated after a crash registers nothing twice.
import { packTar } from '@headstart/checkpoint';
import type { finetune } from '@headstart/proto';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { buildStudy, renderReportFiles, type Study as StudyReport } from '@headstart/study';
import { resolvedVersion } from '../jobs/build-job';
import { pinned, poolingName } from '../spec/resolve-spec';
import { studyInput } from './study-trials';

export const REPORT_FORMAT = 'headstart-study-tar';

export interface RegisteredReport {
  version: finetune.ResolvedVersion;
  verdict: string;
  table: string;
}

function recipeNotes(study: finetune.Study, jobs: readonly finetune.Finetune[]): string[] {
  const describe = (arm: 'pretrained' | 'scratch') => {
    const job = jobs.find((j) => !!j.spec?.fromScratch === (arm === 'scratch') && j.spec?.method === 0);
    const h = job?.spec?.hyperparameters;
    if (!h) return `${arm}: no trial`;
    return (
      `${arm} arm: lr ${h.learningRate}, ${poolingName(h.pooling)} pooling, at least ${h.minSteps} steps ` +
      `(${h.epochs} epochs), batch ${h.batchSize}, layer lr decay ${h.layerLrDecay}, warmup ${h.warmupRatio}, ` +
      `early stopping patience ${h.earlyStoppingPatience}`
    );
  };
  return [
    describe('pretrained'),
    describe('scratch'),
    'Baselines: multinomial naive Bayes and logistic regression on word counts, settings chosen on dev.',
    `Study ${study.id}; every trial is a job on the finetune work queue.`,
  ];
}

/** The summarised study for the report (test split, accuracy as the verdict's metric). */
export function summarize(
  study: finetune.Study,
  jobs: readonly finetune.Finetune[],
  createdAt: Date,
): StudyReport {
  const headline = study.spec?.headlineBudget ?? 0;
  return buildStudy(studyInput(jobs), {
    metric: 'accuracy',
    split: 'test',
    headlineBudget: headline === 0 ? 'all' : headline,
    metadata: {
      dataset: {
        name: study.datasetVersion?.modelName ?? '',
        version: String(study.datasetVersion?.version ?? ''),
        details: {
          classes: study.labels.length,
          'training examples': study.trainExamples,
          'dev examples': study.devExamples,
          'test examples': study.testExamples,
        },
      },
      base: { name: study.baseVersion?.modelName ?? '', version: String(study.baseVersion?.version ?? '') },
      createdAt: createdAt.toISOString(),
      notes: recipeNotes(study, jobs),
    },
  });
}

/** The "Results" and "Paired differences" sections of report.md, for the study record. */
export function resultsSection(markdown: string): string {
  const start = markdown.indexOf('## Results');
  const end = markdown.indexOf('## Figures');
  return start < 0 ? '' : markdown.slice(start, end < 0 ? undefined : end).trim();
}

export async function registerStudyReport(
  client: RegistryClient,
  study: finetune.Study,
  jobs: readonly finetune.Finetune[],
  now: Date,
): Promise<RegisteredReport> {
  const report = summarize(study, jobs, now);
  const files = renderReportFiles(report);
  const tar = packTar([...files].map(([name, text]) => ({ name, data: Buffer.from(text, 'utf8') })));
  const spec = study.spec as finetune.StudySpec;
  const base = study.baseVersion as finetune.ResolvedVersion;
  const dataset = study.datasetVersion as finetune.ResolvedVersion;
  const verdict = `${report.verdict.headline} ${report.verdict.baselineLine}`.trim();
  const { version } = await client.createVersion(
    {
      modelName: spec.reportModelName,
      kind: registry.ModelKind.MODEL_KIND_REPORT,
      modelDescription: `Transfer studies of ${base.modelName} on ${dataset.modelName}`,
      description: spec.description || verdict,
      parents: [
        { ref: pinned(base.modelName, base.version), relation: 'studied' },
        { ref: pinned(dataset.modelName, dataset.version), relation: 'evaluated_on' },
      ],
      metadata: {
        format: REPORT_FORMAT,
        study_id: study.id,
        trigger_id: study.triggerId,
        files: JSON.stringify([...files.keys()]),
        verdict,
      },
      metrics: headlineMetrics(report),
      tags: spec.tags,
      runId: study.id,
      idempotencyKey: study.id,
    },
    tar,
  );
  return { version: resolvedVersion(version), verdict, table: resultsSection(files.get('report.md') ?? '') };
}

/** The headline's numbers as version metrics (searchable and comparable in the registry). */
function headlineMetrics(report: StudyReport): Record<string, number> {
  const d = report.verdict.difference;
  const b = report.verdict.baselineDifference;
  const metrics: Record<string, number> = {};
  if (d) {
    metrics['headline/pretrained_minus_scratch'] = d.mean;
    if (d.lower !== null && d.upper !== null) {
      metrics['headline/pretrained_minus_scratch_ci_low'] = d.lower;
      metrics['headline/pretrained_minus_scratch_ci_high'] = d.upper;
    }
  }
  if (b) metrics['headline/pretrained_minus_best_baseline'] = b.mean;
  if (report.verdict.budgetExamples !== null) metrics['headline/labels'] = report.verdict.budgetExamples;
  return metrics;
}
