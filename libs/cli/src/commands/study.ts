// `headstart study start|watch|get|ls|cancel`.
import { Code, HeadstartError } from '@headstart/errors';
import { formatJobState, type FinetuneClient, type JobStateInput } from '@headstart/finetune-client';
import { common, type finetune } from '@headstart/proto';
import { parseCount } from '../args';
import type { Output } from '../output';
import { describeStudy, describeStudyProgress, studyJson, studyRow } from './study-format';
import { toStudySpecInput, type StartStudyOptions } from './study-options';

/** A study that did not succeed becomes the error the command exits with. */
export function requireStudySucceeded(study: finetune.Study): void {
  if (study.state === common.JobState.JOB_STATE_SUCCEEDED) return;
  if (study.state === common.JobState.JOB_STATE_CANCELLED)
    throw new HeadstartError(Code.CANCELLED, `study ${study.id} was cancelled`);
  const code = (Code as unknown as Record<string, number>)[study.errorCode] ?? Code.UNKNOWN;
  throw new HeadstartError(code, `study ${study.id} failed: ${study.error || 'no error recorded'}`);
}

/**
 * Follows a study to its end. People get a line on stdout whenever a trial finishes or the state
 * changes (a study runs for a long time, often with stdout in a log, so not only on a terminal); with
 * --json stdout keeps its one document and the line is only drawn on a terminal's stderr.
 */
export async function followStudy(client: FinetuneClient, out: Output, id: string): Promise<void> {
  let last = '';
  // On a terminal (stdout too, no --json): one live bar of the trials instead of a line per trial.
  const live = out.liveProgress();
  const bar = live?.task(id);
  let study: finetune.Study;
  try {
    study = await client.watchStudy(id, (update) => {
      if (bar) {
        const running = update.state === common.JobState.JOB_STATE_RUNNING;
        bar.progress(update.trialsFinished, update.trialsTotal, {
          unit: 'trials',
          state: running ? undefined : formatJobState(update.state),
        });
        return;
      }
      const line = `${id}  ${describeStudyProgress(update)}`;
      if (line === last) return;
      last = line;
      if (out.json) out.progress(line);
      else out.stdout.write(`${line}\n`);
    });
    bar?.done(describeStudyProgress(study));
  } finally {
    live?.close();
  }
  if (out.json && last !== '') out.progress(last, true);
  out.result(
    () => ({ study: studyJson(study) }),
    () => `\n${describeStudy(out, study)}`,
  );
  requireStudySucceeded(study);
}

export async function startStudy(
  client: FinetuneClient,
  out: Output,
  base: string,
  dataset: string,
  options: StartStudyOptions,
): Promise<void> {
  const study = await client.startStudy(
    toStudySpecInput(base, dataset, options),
    options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey },
  );
  if (options.watch) {
    await followStudy(client, out, study.id);
    return;
  }
  out.result(
    () => ({ study: studyJson(study) }),
    () => `${study.id}\n`,
  );
}

export async function getStudy(client: FinetuneClient, out: Output, id: string): Promise<void> {
  const study = await client.getStudy(id);
  out.result(
    () => ({ study: studyJson(study) }),
    () => describeStudy(out, study),
  );
}

export async function cancelStudy(client: FinetuneClient, out: Output, id: string): Promise<void> {
  const study = await client.cancelStudy(id);
  const pending = study.cancelRequested && study.state === common.JobState.JOB_STATE_RUNNING;
  out.result(
    () => ({ study: studyJson(study) }),
    () => `${study.id}: ${formatJobState(study.state)}${pending ? ' (cancel requested)' : ''}\n`,
  );
}

export interface ListStudiesOptions {
  state?: string;
  base?: string;
  /** @default '50' */
  limit?: string;
}

/** Every page up to --limit, newest first (the service lists studies without their trials). */
async function collectStudies(
  client: FinetuneClient,
  options: ListStudiesOptions,
): Promise<finetune.Study[]> {
  const limit = parseCount(options.limit ?? '50', 'limit');
  const studies: finetune.Study[] = [];
  let pageToken = '';
  do {
    const page = await client.listStudies({
      ...(options.state === undefined ? {} : { state: options.state as JobStateInput }),
      ...(options.base === undefined ? {} : { baseModel: options.base }),
      pageSize: Math.max(1, Math.min(limit - studies.length, 1000)),
      pageToken,
    });
    studies.push(...page.studies);
    pageToken = page.nextPageToken;
  } while (pageToken !== '' && studies.length < limit);
  return studies.slice(0, limit);
}

export async function listStudies(
  client: FinetuneClient,
  out: Output,
  options: ListStudiesOptions,
): Promise<void> {
  const studies = await collectStudies(client, options);
  out.result(
    () => ({ studies: studies.map(studyJson) }),
    () =>
      out.table(
        [
          { header: 'study' },
          { header: 'state' },
          { header: 'base' },
          { header: 'dataset' },
          { header: 'trials', align: 'right' },
          { header: 'report' },
          { header: 'created' },
          { header: 'verdict' },
        ],
        studies.map(studyRow),
      ),
  );
}
