// Stage 7: the final checkpoint's CheckpointRegistered event fires both triggers; wait for the job each
// created for that checkpoint, then follow it to its end.
import { common, type finetune, type registry } from '@headstart/proto';
import { Code, HeadstartError } from '@headstart/errors';
import type { Logger } from '@headstart/service-kit';

import type { FinetuneClient } from '@headstart/finetune-client';
import { label } from '../reuse';
import { silentReporter, type Reporter } from '../reporter/reporter';

const { JobState } = common;

export interface TriggeredJob {
  trigger: finetune.Trigger;
  job: finetune.Finetune;
  /** Jobs this trigger created for this checkpoint (exactly one, by the service's promise). */
  jobsForCheckpoint: number;
  /** Seconds from the checkpoint's commit to the job's creation. */
  triggerLatencySeconds: number;
}

export interface AwaitOptions {
  /** How long a trigger may take to create its job. @default 5 min */
  appearTimeoutMs?: number;
  /** Pause between ListFinetunes calls while waiting for the job to appear. @default 500 ms */
  pollMs?: number;
  signal?: AbortSignal | undefined;
  /** Each job's progress. @default silentReporter */
  reporter?: Reporter | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

async function jobsFor(
  client: FinetuneClient,
  trigger: finetune.Trigger,
  checkpoint: registry.ModelVersion,
  signal?: AbortSignal,
) {
  const jobs = await client.listAllFinetunes({ triggerId: trigger.id }, signal ? { signal } : {});
  return jobs.filter((j) => j.baseVersion?.versionId === checkpoint.id);
}

async function awaitOne(
  client: FinetuneClient,
  trigger: finetune.Trigger,
  checkpoint: registry.ModelVersion,
  logger: Logger,
  options: AwaitOptions,
): Promise<TriggeredJob> {
  const what = trigger.spec?.fromScratch ? 'fine-tune from scratch' : 'fine-tune of the pre-trained base';
  const deadline = Date.now() + (options.appearTimeoutMs ?? 300_000);
  let created: finetune.Finetune | undefined;
  while (!created) {
    if (options.signal?.aborted) throw new HeadstartError(Code.CANCELLED, 'the pipeline was cancelled');
    created = (await jobsFor(client, trigger, checkpoint, options.signal))[0];
    if (created) break;
    if (Date.now() > deadline) {
      throw new HeadstartError(
        Code.DEADLINE_EXCEEDED,
        `trigger ${trigger.id} created no job for ${label(checkpoint)} within ${Math.round((options.appearTimeoutMs ?? 300_000) / 1000)} s`,
      );
    }
    await sleep(options.pollMs ?? 500, options.signal);
  }
  logger.info(
    { trigger: trigger.id, finetune: created.id, base: label(checkpoint) },
    `${what}: the trigger fired`,
  );
  const task = (options.reporter ?? silentReporter).task(what);
  let bestDevStep = -1;
  const job = await client.watchFinetune(
    created.id,
    (update) => {
      const state = common.jobStateToJSON(update.state).replace('JOB_STATE_', '').toLowerCase();
      task.progress(
        update.step,
        update.totalSteps,
        {
          finetune: update.id,
          state: state === 'running' ? undefined : state,
          epoch: update.epoch,
          loss: update.loss ? +update.loss.toFixed(4) : undefined,
        },
        `${what}: ${state}`,
      );
      const dev = update.bestDev;
      if (dev && dev.step !== bestDevStep && dev.examples > 0) {
        bestDevStep = dev.step;
        logger.info(
          {
            finetune: update.id,
            step: dev.step,
            dev_accuracy: +dev.accuracy.toFixed(4),
            dev_macro_f1: +dev.macroF1.toFixed(4),
          },
          `${what}: best dev evaluation so far`,
        );
      }
    },
    options.signal ? { signal: options.signal } : {},
  );
  task.done(
    job.test
      ? `test accuracy ${(100 * job.test.accuracy).toFixed(1)} %`
      : common.jobStateToJSON(job.state).replace('JOB_STATE_', '').toLowerCase(),
  );
  if (job.state !== JobState.JOB_STATE_SUCCEEDED) {
    throw new HeadstartError(
      Code.ABORTED,
      `${what} (job ${job.id}) ended ${common.jobStateToJSON(job.state)}: ${job.error || 'no result'}`,
    );
  }
  logger.info(
    {
      finetune: job.id,
      model: job.resultVersion ? `${job.resultVersion.modelName}:${job.resultVersion.version}` : undefined,
      test_accuracy: job.test?.accuracy,
      test_macro_f1: job.test?.macroF1,
    },
    `${what}: registered`,
  );
  const jobsForCheckpoint = (await jobsFor(client, trigger, checkpoint, options.signal)).length;
  const committed = checkpoint.createdAt?.getTime() ?? 0;
  const triggerLatencySeconds =
    committed && job.createdAt ? (job.createdAt.getTime() - committed) / 1000 : NaN;
  return { trigger, job, jobsForCheckpoint, triggerLatencySeconds };
}

/** Waits for both triggered jobs of `checkpoint` (they train one after the other on one worker). */
export async function awaitFinetunes(
  client: FinetuneClient,
  triggers: { pretrained: finetune.Trigger; scratch: finetune.Trigger },
  checkpoint: registry.ModelVersion,
  logger: Logger,
  options: AwaitOptions = {},
): Promise<{ pretrained: TriggeredJob; scratch: TriggeredJob }> {
  const [pretrained, scratch] = await Promise.all([
    awaitOne(client, triggers.pretrained, checkpoint, logger, options),
    awaitOne(client, triggers.scratch, checkpoint, logger, options),
  ]);
  return { pretrained, scratch };
}
