// Test support (not exported): a real grpc-js server on port 0 that serves only the study RPCs of the
// finetune service, from canned studies, recording requests. The CLI's study commands are tested through
// runCli against it (and a real registry) until the finetune service itself serves studies.
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError, toServiceError } from '@headstart/errors';
import { common, finetune } from '@headstart/proto';

const { JobState } = common;

export interface StudyTestServer {
  readonly address: string;
  /** The last request of each RPC, by method name (StartStudy, ListStudies, CancelStudy). */
  readonly requests: Record<string, unknown>;
  stop(): void;
}

const trial = (arm: string, state: common.JobState, seed: number) =>
  finetune.StudyTrial.fromPartial({
    arm,
    state,
    labelBudget: 50,
    budgetExamples: 50,
    seed,
    ...(state === JobState.JOB_STATE_SUCCEEDED ? { testAccuracy: 0.9, testMacroF1: 0.88 } : {}),
  });

/** A study of 4 trials (two arms, two seeds), the first `finished` of them succeeded. */
export function cannedStudy(id: string, state: common.JobState, finished: number): finetune.Study {
  const stateOf = (i: number) => (i < finished ? JobState.JOB_STATE_SUCCEEDED : JobState.JOB_STATE_QUEUED);
  const done = state === JobState.JOB_STATE_SUCCEEDED;
  return finetune.Study.fromPartial({
    id,
    state,
    spec: { labelBudgets: [50], seeds: 2, tags: ['t1'] },
    baseVersion: { modelName: 'bert', version: 3 },
    datasetVersion: { modelName: 'spam', version: 1 },
    trials: ['pretrained', 'scratch', 'pretrained', 'scratch'].map((arm, i) =>
      trial(arm, stateOf(i), 1 + (i >> 1)),
    ),
    trialsTotal: 4,
    trialsFinished: finished,
    verdict: done
      ? '+11.2 points accuracy at 50 labels, 95% CI [8.9, 13.5], 2 seeds: the pre-trained base helps'
      : '',
    table: done ? '| budget | pretrained | scratch |\n|---|---|---|\n| 50 | 90.0% | 78.8% |\n' : '',
    ...(done ? { reportVersion: { versionId: 'v-report', modelName: 'spam-study', version: 1 } } : {}),
    ...(state === JobState.JOB_STATE_FAILED ? { error: 'every trial failed', errorCode: 'INTERNAL' } : {}),
  });
}

/** The studies GetStudy knows; WatchStudy streams its way to the same end states. */
const STUDIES: Record<string, finetune.Study> = {
  'st-done': cannedStudy('st-done', JobState.JOB_STATE_SUCCEEDED, 4),
  'st-running': cannedStudy('st-running', JobState.JOB_STATE_RUNNING, 2),
  'st-cancelled': cannedStudy('st-cancelled', JobState.JOB_STATE_CANCELLED, 1),
  'st-failed': cannedStudy('st-failed', JobState.JOB_STATE_FAILED, 4),
};

const notFound = (id: string) => toServiceError(new HeadstartError(Code.NOT_FOUND, `study ${id} not found`));

function implementation(requests: Record<string, unknown>): Partial<finetune.FinetuneServiceServer> {
  return {
    startStudy: (call, callback) => {
      requests['StartStudy'] = call.request;
      // Started studies are followed as "st-done" is: a later watch finds the same canned run.
      callback(null, {
        study: { ...cannedStudy('st-done', JobState.JOB_STATE_QUEUED, 0), spec: call.request.spec },
      });
    },
    getStudy: (call, callback) => {
      const study = STUDIES[call.request.studyId];
      if (study === undefined) callback(notFound(call.request.studyId));
      else callback(null, { study });
    },
    listStudies: (call, callback) => {
      requests['ListStudies'] = call.request;
      const studies = Object.values(STUDIES).map((s) => ({ ...s, trials: [] }));
      callback(null, { studies, nextPageToken: '' });
    },
    watchStudy: (call) => {
      const end = STUDIES[call.request.studyId];
      if (end === undefined) {
        call.emit('error', notFound(call.request.studyId));
        return;
      }
      for (const finished of [0, 1, 2]) {
        call.write({ study: cannedStudy(end.id, JobState.JOB_STATE_RUNNING, finished) });
      }
      call.write({ study: end });
      call.end();
    },
    cancelStudy: (call, callback) => {
      requests['CancelStudy'] = call.request;
      callback(null, { study: cannedStudy(call.request.studyId, JobState.JOB_STATE_CANCELLED, 2) });
    },
  };
}

/** Starts the server; the RPCs it does not implement answer UNIMPLEMENTED. */
export async function startStudyTestServer(): Promise<StudyTestServer> {
  const requests: Record<string, unknown> = {};
  const server = new grpc.Server();
  server.addService(
    finetune.FinetuneServiceService,
    implementation(requests) as grpc.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return { address: `127.0.0.1:${port}`, requests, stop: () => server.forceShutdown() };
}
