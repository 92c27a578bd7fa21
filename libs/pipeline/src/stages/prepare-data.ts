// Stage 2: the shipped data, built by @headstart/datasets (instant when already built), or a subset of it
// for small-scale runs.
import * as path from 'node:path';

import {
  buildShippedData,
  DICTIONARY_DOMAINS_FILE,
  PRETRAIN_CORPUS_FILE,
  SPAM_ASSASSIN_FILE,
} from '@headstart/datasets';
import type { Logger } from '@headstart/service-kit';

import type { PipelineScale, TaskName } from '../scale';
import { subsetCorpus, subsetTask } from './data-subset';

export interface PipelineData {
  /** JSONL, `{text, split: train | validation}` per line. */
  corpusFile: string;
  /** JSONL, `{text, label, split: train | dev | test}` per line: the fine-tuned task (SpamAssassin). */
  taskFile: string;
  /** Every shipped task's file, same format. */
  taskFiles: Record<TaskName, string>;
  /** True when the files are subsets of the shipped data. */
  subset: boolean;
  /** The seed the shipped data was built with. */
  seed: number;
}

export async function prepareData(
  dataDir: string,
  workDir: string,
  scale: Pick<PipelineScale, 'corpusDocuments' | 'taskExamples'>,
  logger: Logger,
): Promise<PipelineData> {
  const manifest = await buildShippedData({ outDir: dataDir, logger });
  let corpusFile = path.join(dataDir, PRETRAIN_CORPUS_FILE);
  let taskFile = path.join(dataDir, SPAM_ASSASSIN_FILE);
  const documents = scale.corpusDocuments;
  if (documents) {
    const target = path.join(workDir, `corpus-subset-${documents.train}-${documents.validation}.jsonl`);
    const counts = await subsetCorpus(corpusFile, target, documents);
    logger.info({ file: target, counts }, 'corpus subset written');
    corpusFile = target;
  }
  const taskFiles: Record<TaskName, string> = {
    'spam-assassin': taskFile,
    'dictionary-domains': path.join(dataDir, DICTIONARY_DOMAINS_FILE),
  };
  const examples = scale.taskExamples;
  if (examples) {
    for (const task of Object.keys(taskFiles) as TaskName[]) {
      const sizes = `${examples.train}-${examples.dev}-${examples.test}`;
      const target = path.join(workDir, `${task}-subset-${sizes}.jsonl`);
      const counts = await subsetTask(taskFiles[task], target, examples);
      logger.info({ file: target, counts }, `${task}: subset written`);
      taskFiles[task] = target;
    }
    taskFile = taskFiles['spam-assassin'];
  }
  logger.info(
    { corpusFile, taskFile, seed: manifest.seed },
    documents || examples ? 'data ready (subset of the shipped data)' : 'shipped data ready',
  );
  return {
    corpusFile,
    taskFile,
    taskFiles,
    subset: documents !== undefined || examples !== undefined,
    seed: manifest.seed,
  };
}
