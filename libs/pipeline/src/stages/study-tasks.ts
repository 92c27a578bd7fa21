// Stage 4b: the tasks the studies run on, registered as DATASET versions (reused when the file is the same).
import type { registry } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';

import type { LocalStack } from '../local-stack';
import { PIPELINE_NAMES, type PipelineScale, type StudyScale } from '../scale';
import type { PipelineData } from './prepare-data';
import { registerTask } from './register-task';

export interface StudiedTask {
  name: string;
  dataset: registry.ModelVersion;
  study: StudyScale;
}

export async function registerStudyTasks(
  stack: Pick<LocalStack, 'registry'>,
  data: PipelineData,
  scale: Pick<PipelineScale, 'studies'>,
  logger: Logger,
): Promise<StudiedTask[]> {
  const tasks: StudiedTask[] = [];
  for (const study of scale.studies) {
    const name = PIPELINE_NAMES.tasks[study.task];
    const { task } = await registerTask(stack.registry, data.taskFiles[study.task], name, logger);
    tasks.push({ name, dataset: task, study });
  }
  return tasks;
}
