// `headstart finetune start|get|ls|watch|cancel`.
import { Code, HeadstartError } from '@headstart/errors';
import { formatJobState, type FinetuneClient, type JobStateInput } from '@headstart/finetune-client';
import { common, finetune } from '@headstart/proto';
import { formatVersionRef } from '@headstart/registry-client';
import { parseCount } from '../args';
import { formatTime, versionLabel } from '../format';
import { formatDuration } from '../job-progress';
import type { Output } from '../output';
import { toSpecInput, type SpecOptions } from './finetune-spec-options';

const jobJson = (job: finetune.Finetune): unknown => finetune.Finetune.toJSON(job);

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** `step 40/120 (epoch 2) loss 0.412, best dev acc 91.0%` or the state. */
export function describeFinetuneProgress(job: finetune.Finetune): string {
  const state = formatJobState(job.state);
  if (job.state !== common.JobState.JOB_STATE_RUNNING)
    return job.error === '' ? state : `${state}: ${job.error}`;
  if (job.totalSteps === 0) return 'running: preparing data and model';
  const best = job.bestDev ? `, best dev acc ${percent(job.bestDev.accuracy)}` : '';
  return `running: step ${job.step}/${job.totalSteps} (epoch ${job.epoch + 1}) loss ${job.loss.toFixed(3)}${best}`;
}

function inputs(job: finetune.Finetune): string {
  const base = job.baseVersion
    ? versionLabel(job.baseVersion)
    : job.spec?.baseModel
      ? formatVersionRef(job.spec.baseModel)
      : '?';
  const data = job.datasetVersion ? versionLabel(job.datasetVersion) : '?';
  return `${base} + ${data}${job.spec?.fromScratch ? ' (from scratch)' : ''}`;
}

function elapsed(job: finetune.Finetune): string {
  if (job.startedAt === undefined) return '-';
  return formatDuration(((job.finishedAt ?? new Date()).getTime() - job.startedAt.getTime()) / 1000);
}

function confusion(e: finetune.Evaluation): string {
  const m = e.confusionMatrix;
  if (!m) return '-';
  const k = m.labels.length;
  const rows = m.labels.map((label, i) => `${label}: [${m.counts.slice(i * k, (i + 1) * k).join(' ')}]`);
  return `${rows.join('  ')} (rows: true, columns: predicted)`;
}

export function describeFinetune(out: Output, job: finetune.Finetune): string {
  const fields: Array<[string, string]> = [
    ['finetune', job.id],
    ['state', describeFinetuneProgress(job)],
    ['inputs', inputs(job)],
    ['output', job.spec?.outputModelName ?? '-'],
    ['trigger', job.triggerId || '-'],
    ['labels', job.labels.join(', ') || '-'],
    ['examples', `${job.trainExamples} train / ${job.devExamples} dev / ${job.testExamples} test`],
    ['created', formatTime(job.createdAt)],
    ['elapsed', elapsed(job)],
    ['attempts', String(job.attempts)],
  ];
  if (job.bestDev)
    fields.push([
      'best dev',
      `accuracy ${percent(job.bestDev.accuracy)}, loss ${job.bestDev.loss.toFixed(4)} (step ${job.bestDev.step})`,
    ]);
  if (job.test) {
    fields.push(['test', `accuracy ${percent(job.test.accuracy)}, macro-F1 ${job.test.macroF1.toFixed(4)}`]);
    for (const c of job.test.perClass) {
      fields.push([
        `  ${c.label}`,
        `precision ${c.precision.toFixed(3)}, recall ${c.recall.toFixed(3)}, support ${c.support}`,
      ]);
    }
    fields.push(['confusion', confusion(job.test)]);
  }
  if (job.resultVersion) fields.push(['result', versionLabel(job.resultVersion)]);
  for (const w of job.warnings) fields.push(['warning', w]);
  if (job.error !== '') fields.push(['error', `${job.error} (${job.errorCode})`]);
  return out.fields(fields);
}

/** A job that did not succeed becomes the error the command exits with. */
export function requireFinetuneSucceeded(job: finetune.Finetune): void {
  if (job.state === common.JobState.JOB_STATE_SUCCEEDED) return;
  if (job.state === common.JobState.JOB_STATE_CANCELLED)
    throw new HeadstartError(Code.CANCELLED, `fine-tune ${job.id} was cancelled`);
  const code = (Code as unknown as Record<string, number>)[job.errorCode] ?? Code.UNKNOWN;
  throw new HeadstartError(code, `fine-tune ${job.id} failed: ${job.error}`);
}

export async function followFinetune(client: FinetuneClient, out: Output, id: string): Promise<void> {
  let last = '';
  // On a terminal (stdout too): a live bar; elsewhere the status line redrawn on a terminal's stderr.
  const live = out.liveProgress();
  const bar = live?.task(id);
  let job: finetune.Finetune;
  try {
    job = await client.watchFinetune(id, (update) => {
      if (bar) {
        const running = update.state === common.JobState.JOB_STATE_RUNNING;
        bar.progress(update.step, update.totalSteps, {
          state: running ? undefined : formatJobState(update.state),
          epoch: running && update.totalSteps > 0 ? update.epoch + 1 : undefined,
          loss: running && update.totalSteps > 0 ? +update.loss.toFixed(4) : undefined,
          'best dev acc': update.bestDev ? percent(update.bestDev.accuracy) : undefined,
        });
        return;
      }
      const line = `${id}  ${describeFinetuneProgress(update)}`;
      if (line !== last) out.progress(line);
      last = line;
    });
    bar?.done(describeFinetuneProgress(job));
  } finally {
    live?.close();
  }
  if (last !== '') out.progress(`${id}  ${describeFinetuneProgress(job)}`, true);
  out.result(
    () => ({ finetune: jobJson(job) }),
    () => describeFinetune(out, job),
  );
  requireFinetuneSucceeded(job);
}

export interface StartFinetuneOptions extends SpecOptions {
  base: string;
  idempotencyKey?: string;
  detach?: boolean;
}

export async function startFinetune(
  client: FinetuneClient,
  out: Output,
  options: StartFinetuneOptions,
): Promise<void> {
  const job = await client.startFinetune(
    { ...toSpecInput(options), base: options.base },
    options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey },
  );
  if (options.detach) {
    out.result(
      () => ({ finetune: jobJson(job) }),
      () => `${job.id}\n`,
    );
    return;
  }
  await followFinetune(client, out, job.id);
}

export async function getFinetune(client: FinetuneClient, out: Output, id: string): Promise<void> {
  const job = await client.getFinetune(id);
  out.result(
    () => ({ finetune: jobJson(job) }),
    () => describeFinetune(out, job),
  );
}

export async function cancelFinetune(client: FinetuneClient, out: Output, id: string): Promise<void> {
  const job = await client.cancelFinetune(id);
  out.result(
    () => ({ finetune: jobJson(job) }),
    () =>
      `${job.id}: ${formatJobState(job.state)}${job.cancelRequested && job.state === common.JobState.JOB_STATE_RUNNING ? ' (cancel requested)' : ''}\n`,
  );
}

export interface ListFinetunesOptions {
  state?: string;
  trigger?: string;
  base?: string;
  /** @default '50' */
  limit?: string;
}

export async function listFinetunes(
  client: FinetuneClient,
  out: Output,
  options: ListFinetunesOptions,
): Promise<void> {
  const limit = parseCount(options.limit ?? '50', 'limit');
  const jobs: finetune.Finetune[] = [];
  let pageToken = '';
  do {
    const page = await client.listFinetunes({
      ...(options.state === undefined ? {} : { state: options.state as JobStateInput }),
      ...(options.trigger === undefined ? {} : { triggerId: options.trigger }),
      ...(options.base === undefined ? {} : { baseModel: options.base }),
      pageSize: Math.max(1, Math.min(limit - jobs.length, 1000)),
      pageToken,
    });
    jobs.push(...page.finetunes);
    pageToken = page.nextPageToken;
  } while (pageToken !== '' && jobs.length < limit);
  out.result(
    () => ({ finetunes: jobs.map(jobJson) }),
    () =>
      out.table(
        [
          { header: 'finetune' },
          { header: 'state' },
          { header: 'inputs' },
          { header: 'test acc', align: 'right' },
          { header: 'result' },
          { header: 'created' },
        ],
        jobs.map((j) => [
          j.id,
          formatJobState(j.state),
          inputs(j),
          j.test ? percent(j.test.accuracy) : '-',
          j.resultVersion ? versionLabel(j.resultVersion) : '-',
          formatTime(j.createdAt),
        ]),
      ),
  );
}
