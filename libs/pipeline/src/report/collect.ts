// Pieces of the report read back from the services: every registered version, the lineage of the
// fine-tuned model, and a triggered job's figures.
import type { finetune, registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';

import type { TriggeredJob } from '../stages/await-finetunes';
import { followRelations, formatLineageTree, kindName, lineageTree } from './lineage-tree';
import type { FinetuneSummary, VersionSummary } from './report-types';

export async function allVersions(client: RegistryClient): Promise<VersionSummary[]> {
  const versions: registry.ModelVersion[] = [];
  for await (const model of client.listModels({})) {
    for await (const v of client.searchVersions({ modelName: model.name })) versions.push(v);
  }
  versions.sort((a, b) => a.modelName.localeCompare(b.modelName) || a.version - b.version);
  return versions.map((v) => ({
    ref: `${v.modelName}:${v.version}`,
    id: v.id,
    kind: kindName(v.kind),
    sizeBytes: v.artifactSize,
    createdAt: v.createdAt?.toISOString() ?? '',
    parents: v.parents.map((p) => `${p.relation} ${p.modelName}:${p.version}`),
  }));
}

/** The fine-tuned version's ancestry, as tree lines and as the main chain back to the corpus. */
export async function lineageOf(
  client: RegistryClient,
  version: { name: string; version: number },
): Promise<{ tree: string[]; chain: string[] }> {
  const lineage = await client.getLineage(
    { name: version.name, selector: { $case: 'version', version: version.version } },
    { direction: 'ancestors' },
  );
  const tree = lineageTree(lineage);
  if (!tree) return { tree: [], chain: [] };
  return {
    tree: formatLineageTree(tree),
    chain: followRelations(tree, ['finetuned_from', 'trained_on', 'tokenized_with', 'trained_on']),
  };
}

function majorityShare(evaluation: finetune.Evaluation | undefined): number {
  if (!evaluation || evaluation.examples === 0) return NaN;
  return Math.max(...evaluation.perClass.map((c) => c.support)) / evaluation.examples;
}

export function finetuneSummary(triggered: TriggeredJob, firedCount: number): FinetuneSummary {
  const { job } = triggered;
  const test = job.test;
  const result = job.resultVersion;
  const created = job.createdAt?.getTime();
  const finished = job.finishedAt?.getTime();
  return {
    jobId: job.id,
    triggerId: job.triggerId,
    model: result ? `${result.modelName}:${result.version}` : '',
    base: job.baseVersion ? `${job.baseVersion.modelName}:${job.baseVersion.version}` : '',
    fromScratch: job.spec?.fromScratch ?? false,
    trainExamples: job.trainExamples,
    devExamples: job.devExamples,
    testExamples: job.testExamples,
    steps: job.step,
    stoppedEarly: job.stoppedEarly,
    testAccuracy: test?.accuracy ?? NaN,
    testMacroF1: test?.macroF1 ?? NaN,
    testLoss: test?.loss ?? NaN,
    perClass: (test?.perClass ?? []).map((c) => ({ ...c })),
    majorityAccuracy: majorityShare(test),
    jobsForCheckpoint: triggered.jobsForCheckpoint,
    triggerFiredCount: firedCount,
    triggerLatencySeconds: triggered.triggerLatencySeconds,
    seconds: created && finished ? (finished - created) / 1000 : NaN,
  };
}
