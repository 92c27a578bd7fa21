// Test support (not exported): a real grpc-js server on port 0 serving only the study RPCs of the
// finetune service from a canned study, and recording the requests, so the client tests check the wire.
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError, toServiceError } from '@headstart/errors';
import { common, finetune } from '@headstart/proto';

const { JobState } = common;

export interface StudyTestServer {
  readonly address: string;
  /** The last request of each RPC, by method name (StartStudy, ListStudies, …). */
  readonly requests: Record<string, unknown>;
  stop(): void;
}

/** A study at `finished` of 4 trials, in `state`. */
export function cannedStudy(state: common.JobState, finished: number): finetune.Study {
  return finetune.Study.fromPartial({
    id: 'study-1',
    state,
    trialsTotal: 4,
    trialsFinished: finished,
    verdict: state === JobState.JOB_STATE_SUCCEEDED ? '+11.2 points accuracy at 200 labels' : '',
  });
}

const notFound = (id: string) => toServiceError(new HeadstartError(Code.NOT_FOUND, `study ${id} not found`));

/**
 * GetStudy answers NOT_FOUND for "missing"; WatchStudy streams queued, running 2/4, succeeded 4/4 and
 * ends, except for "hang", which it leaves open (for deadline tests); StartStudy refuses 1 seed.
 */
function implementation(requests: Record<string, unknown>): Partial<finetune.FinetuneServiceServer> {
  return {
    startStudy: (call, callback) => {
      requests['StartStudy'] = call.request;
      if (call.request.spec?.seeds === 1) {
        const refusal = new HeadstartError(Code.INVALID_ARGUMENT, 'seeds must be at least 2', {
          details: { field: 'seeds' },
        });
        callback(toServiceError(refusal));
        return;
      }
      callback(null, { study: { ...cannedStudy(JobState.JOB_STATE_QUEUED, 0), spec: call.request.spec } });
    },
    getStudy: (call, callback) => {
      if (call.request.studyId === 'missing') callback(notFound('missing'));
      else callback(null, { study: cannedStudy(JobState.JOB_STATE_RUNNING, 2) });
    },
    listStudies: (call, callback) => {
      requests['ListStudies'] = call.request;
      callback(null, { studies: [cannedStudy(JobState.JOB_STATE_RUNNING, 2)], nextPageToken: 'next' });
    },
    watchStudy: (call) => {
      if (call.request.studyId === 'hang') return;
      call.write({ study: cannedStudy(JobState.JOB_STATE_QUEUED, 0) });
      call.write({ study: cannedStudy(JobState.JOB_STATE_RUNNING, 2) });
      call.write({ study: cannedStudy(JobState.JOB_STATE_SUCCEEDED, 4) });
      call.end();
    },
    cancelStudy: (call, callback) => {
      requests['CancelStudy'] = call.request;
      callback(null, { study: cannedStudy(JobState.JOB_STATE_CANCELLED, 1) });
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
