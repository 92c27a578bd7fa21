// The API's side of a study: creating it (once) with its trial jobs, following its trials as their jobs
// change, and finishing it when every trial has ended: CANCELLED after a cancel, FAILED if a trial
// failed, else SUCCEEDED with its REPORT version registered. Idempotent at every step, so a restart
// picks each unfinished study up where it stood (trials are created by idempotency key, the report is
// registered under the study id).
import { Code, isHeadstartError, notFound } from '@headstart/errors';
import { common, type finetune } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import type { DatasetLoader } from '../data/dataset-loader';
import { isPermanent } from '../jobs/build-job';
import type { JobEvents, StudyEvents } from '../jobs/job-events';
import type { JobService } from '../jobs/job-service';
import { isTerminal } from '@headstart/jobs';
import type { FinetuneStore } from '../store/finetune-store';
import type { StudyQuery } from '../store/study-store';
import { idempotencyToken } from '../jobs/job-store';
import { buildStudy, trialJobs, type BuildStudyInput } from './build-study';
import { registerStudyReport } from './study-report';
import { armsOf } from './study-spec';
import { studyTrial, trialsFinished } from './study-trials';

const { JobState } = common;

export interface StudyServiceOptions {
  store: FinetuneStore;
  jobs: JobService;
  jobEvents: JobEvents;
  events: StudyEvents;
  client: RegistryClient;
  datasets: DatasetLoader;
  logger: Logger;
  now?: () => Date;
}

export class StudyService {
  private readonly now: () => Date;
  /** One check at a time per study, in order of the changes that asked for it. */
  private readonly checks = new Map<string, Promise<void>>();
  private readonly unsubscribe: () => void;
  /** The last state seen of each unfinished trial job: a check follows a change of state only. */
  private readonly trialStates = new Map<string, common.JobState>();

  constructor(private readonly options: StudyServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.unsubscribe = options.jobEvents.subscribeAll((job) => this.onJobChange(job));
  }

  /**
   * A trial job changed. Its worker writes progress every second, and a check reads every job record:
   * only a trial that started (the study is RUNNING) or ended (it may be finished) asks for one.
   */
  private onJobChange(job: finetune.Finetune): void {
    if (job.studyId === '' || this.trialStates.get(job.id) === job.state) return;
    if (isTerminal(job.state)) this.trialStates.delete(job.id);
    else this.trialStates.set(job.id, job.state);
    if (isTerminal(job.state) || job.state === JobState.JOB_STATE_RUNNING) this.schedule(job.studyId);
  }

  close(): Promise<void> {
    this.unsubscribe();
    return Promise.all(this.checks.values()).then(() => undefined);
  }

  /** Builds (or finds, by idempotency key or trigger) the study, and makes sure its trials are queued. */
  async start(input: BuildStudyInput, idempotencyKey = ''): Promise<finetune.Study> {
    const { store } = this.options;
    const existing =
      (idempotencyKey !== '' ? store.studies.findByIdempotencyKey(idempotencyKey) : undefined) ??
      (input.triggerId && input.base
        ? store.studies.findTriggered(input.base.id, input.triggerId)
        : undefined);
    const study =
      existing ??
      store.studies.insert(
        await buildStudy(input, {
          client: this.options.client,
          datasets: this.options.datasets,
          now: this.now,
        }),
        idempotencyKey,
      ).study;
    if (!existing)
      this.options.logger.info({ study: study.id, trials: this.totalTrials(study) }, 'study started');
    await this.ensureTrials(study);
    return this.get(study.id);
  }

  /** Stores the record of a triggered study that cannot run, so the failure is visible. */
  recordFailed(study: finetune.Study): finetune.Study {
    return this.options.store.studies.insert(study).study;
  }

  /** The study with its trials: the jobs that carry its id. */
  async get(id: string): Promise<finetune.Study> {
    const study = this.options.store.studies.get(id);
    if (!study) throw notFound(`no study ${JSON.stringify(id)}`, { field: 'study_id' });
    const jobs = await this.options.jobs.ofStudy(id);
    return {
      ...study,
      trials: jobs.map(studyTrial),
      trialsTotal: this.totalTrials(study),
      trialsFinished: trialsFinished(jobs),
    };
  }

  list(query: StudyQuery): { studies: finetune.Study[]; nextPageToken: string } {
    return this.options.store.studies.list(query);
  }

  /** Cancels every unfinished trial; the study ends CANCELLED once they have all stopped. */
  async cancel(id: string): Promise<finetune.Study> {
    const result = this.options.store.studies.update(id, (s) =>
      isTerminal(s.state) || s.cancelRequested
        ? undefined
        : { ...s, cancelRequested: true, updatedAt: this.now() },
    );
    if (!result) throw notFound(`no study ${JSON.stringify(id)}`, { field: 'study_id' });
    for (const job of await this.options.jobs.ofStudy(id)) {
      if (!isTerminal(job.state)) await this.options.jobs.cancel(job.id);
    }
    this.schedule(id);
    await this.checks.get(id);
    return this.get(id);
  }

  /** At start and now and then: queues missing trials and finishes studies whose trials all ended. */
  async recover(): Promise<void> {
    for (const study of this.options.store.studies.unfinished()) {
      await this.ensureTrials(study);
      this.schedule(study.id);
    }
    await Promise.all(this.checks.values());
  }

  private totalTrials(study: finetune.Study): number {
    return (study.spec?.labelBudgets.length ?? 0) * (study.spec?.seeds ?? 0) * armsOf(study.spec).length;
  }

  private async ensureTrials(study: finetune.Study): Promise<void> {
    if (isTerminal(study.state) || study.cancelRequested) return;
    for (const { key, job } of trialJobs(study, this.now()))
      await this.options.jobs.create(job, idempotencyToken('trial', key));
    this.schedule(study.id);
  }

  private schedule(id: string): void {
    const previous = this.checks.get(id) ?? Promise.resolve();
    const next = previous
      .then(() => this.check(id))
      .catch((err: unknown) =>
        this.options.logger.warn({ study: id, err }, 'study check failed; retried later'),
      )
      .finally(() => {
        if (this.checks.get(id) === next) this.checks.delete(id);
      });
    this.checks.set(id, next);
  }

  private async check(id: string): Promise<void> {
    const study = this.options.store.studies.get(id);
    if (!study || isTerminal(study.state)) return;
    const jobs = await this.options.jobs.ofStudy(id);
    const total = this.totalTrials(study);
    const finished = trialsFinished(jobs);
    if (jobs.length < total || finished < total) {
      const started = jobs.some((j) => j.state !== JobState.JOB_STATE_QUEUED);
      await this.update(id, (s) => ({
        ...s,
        state: started ? JobState.JOB_STATE_RUNNING : s.state,
        trialsTotal: total,
        trialsFinished: finished,
      }));
      return;
    }
    await this.finish(study, jobs);
  }

  private async finish(study: finetune.Study, jobs: finetune.Finetune[]): Promise<void> {
    const ended = { trialsTotal: jobs.length, trialsFinished: jobs.length, finishedAt: this.now() };
    if (study.cancelRequested) {
      await this.update(study.id, (s) => ({ ...s, ...ended, state: JobState.JOB_STATE_CANCELLED }));
      return;
    }
    const failed = jobs.filter((j) => j.state !== JobState.JOB_STATE_SUCCEEDED);
    if (failed.length > 0) {
      const first = studyTrial(failed[0] as finetune.Finetune);
      const error =
        `${failed.length} of ${jobs.length} trials did not succeed; the first: ${first.arm} at ` +
        `${first.budgetExamples} labels, seed ${first.seed} (${first.finetuneId}): ${first.error || 'cancelled'}`;
      await this.update(study.id, (s) => ({
        ...s,
        ...ended,
        state: JobState.JOB_STATE_FAILED,
        error,
        errorCode: 'ABORTED',
      }));
      return;
    }
    try {
      const report = await registerStudyReport(this.options.client, study, jobs, this.now());
      await this.update(study.id, (s) => ({
        ...s,
        ...ended,
        state: JobState.JOB_STATE_SUCCEEDED,
        reportVersion: report.version,
        verdict: report.verdict,
        table: report.table,
      }));
      this.options.logger.info({ study: study.id, verdict: report.verdict }, 'study finished');
    } catch (err) {
      if (!isPermanent(err) || isHeadstartError(err, Code.UNAVAILABLE)) throw err;
      const message = (err as Error).message;
      await this.update(study.id, (s) => ({
        ...s,
        ...ended,
        state: JobState.JOB_STATE_FAILED,
        error: `the report could not be registered: ${message}`,
        errorCode: (err as { codeName?: string }).codeName ?? 'FAILED_PRECONDITION',
      }));
    }
  }

  private async update(id: string, change: (s: finetune.Study) => finetune.Study): Promise<void> {
    const result = this.options.store.studies.update(id, (s) => ({ ...change(s), updatedAt: this.now() }));
    if (result?.changed) this.options.events.emit(await this.get(id));
  }
}
