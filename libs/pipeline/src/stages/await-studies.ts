// Stage 8: the final checkpoint's event starts one study per study trigger; wait for each study the
// trigger started for that checkpoint, follow it (trials finished / total), and write its REPORT
// version's files (study.json, report.md, SVG figures) under <home>/reports/.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { unpackTar } from '@headstart/checkpoint';
import type { StudyClient } from '@headstart/finetune-client';
import { common, type finetune, type registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';

import { label } from '../reuse';
import { silentReporter, type Reporter } from '../reporter/reporter';
import type { StudyTrigger } from './study-triggers';
import { pollUntilFound } from './poll';

const { JobState } = common;

export interface StudyOutcome {
  task: string;
  study: finetune.Study;
  /** Where the report's files were written (undefined when the study did not succeed). */
  folder: string | undefined;
  files: string[];
  /** Checkpoint committed → study finished. */
  seconds: number;
}

export interface AwaitStudiesInput {
  triggers: StudyTrigger[];
  checkpoint: registry.ModelVersion;
  reportsDir: string;
  /** Each study's progress (trials done of total). @default silentReporter */
  reporter?: Reporter | undefined;
  /** How long a trigger may take to start its study. @default 5 min */
  appearTimeoutMs?: number;
  signal?: AbortSignal | undefined;
}

async function studyStartedBy(
  client: StudyClient,
  trigger: finetune.Trigger,
  checkpoint: registry.ModelVersion,
  input: AwaitStudiesInput,
): Promise<finetune.Study> {
  return pollUntilFound(
    async () => {
      const { studies } = await client.listStudies({ baseModel: checkpoint.modelName, pageSize: 100 });
      return studies.find((s) => s.triggerId === trigger.id && s.baseVersion?.versionId === checkpoint.id);
    },
    {
      what: `the study trigger ${trigger.id} starts for ${label(checkpoint)}`,
      timeoutMs: input.appearTimeoutMs,
      signal: input.signal,
    },
  );
}

/** Downloads the study's REPORT version and unpacks it into <reportsDir>/<name>-<version>/. */
async function writeReportFiles(
  registryClient: RegistryClient,
  version: finetune.ResolvedVersion,
  reportsDir: string,
): Promise<{ folder: string; files: string[] }> {
  const bytes = await registryClient.downloadToBuffer({
    name: version.modelName,
    selector: { $case: 'version', version: version.version },
  });
  const folder = path.join(reportsDir, `${version.modelName}-${version.version}`);
  await fs.mkdir(folder, { recursive: true });
  const files: string[] = [];
  for (const entry of unpackTar(bytes)) {
    const target = path.join(folder, path.basename(entry.name));
    await fs.writeFile(target, entry.data);
    files.push(target);
  }
  return { folder, files };
}

export async function awaitStudies(
  client: StudyClient,
  registryClient: RegistryClient,
  input: AwaitStudiesInput,
  logger: Logger,
): Promise<StudyOutcome[]> {
  const outcomes: StudyOutcome[] = [];
  for (const { task, trigger } of input.triggers) {
    const started = await studyStartedBy(client, trigger, input.checkpoint, input);
    logger.info(
      { task, study: started.id, trials: started.trialsTotal },
      `study of ${task}: the trigger fired`,
    );
    const progress = (input.reporter ?? silentReporter).task(`study of ${task}`);
    const watched = await client.watchStudy(started.id, (s) =>
      progress.progress(
        s.trialsFinished,
        s.trialsTotal,
        { study: s.id, unit: 'trials' },
        `study of ${task}: ${s.trialsFinished}/${s.trialsTotal} trials done`,
      ),
    );
    // The watch stream carries the study's state; its trials and their scores come with GetStudy.
    const study = await client.getStudy(watched.id);
    progress.done(`${study.trialsFinished}/${study.trialsTotal} trials`);
    const seconds =
      ((study.finishedAt ?? new Date()).getTime() - input.checkpoint.createdAt!.getTime()) / 1000;
    if (study.state !== JobState.JOB_STATE_SUCCEEDED || !study.reportVersion) {
      logger.warn({ task, study: study.id, error: study.error }, `study of ${task} did not succeed`);
      outcomes.push({ task, study, folder: undefined, files: [], seconds });
      continue;
    }
    const { folder, files } = await writeReportFiles(registryClient, study.reportVersion, input.reportsDir);
    logger.info({ task, study: study.id, report: folder, verdict: study.verdict }, `study of ${task}: done`);
    outcomes.push({ task, study, folder, files, seconds });
  }
  return outcomes;
}
