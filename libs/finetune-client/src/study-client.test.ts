import { Code, HeadstartError } from '@headstart/errors';
import { common, finetune } from '@headstart/proto';
import { createFinetuneClient, type FinetuneClient } from './client';
import { isTerminalStudy } from './study-client';
import { toStudySpec } from './study-inputs';
import { cannedStudy, startStudyTestServer, type StudyTestServer } from './study-test-server';

const { JobState } = common;

let server: StudyTestServer;
let client: FinetuneClient;

beforeAll(async () => {
  server = await startStudyTestServer();
  client = createFinetuneClient({ address: server.address });
});

afterAll(() => {
  client?.close();
  server?.stop();
});

async function failure(work: Promise<unknown>): Promise<HeadstartError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeadstartError);
  return err as HeadstartError;
}

describe('study inputs', () => {
  it('maps the friendly spec to the wire message, leaving unset knobs unset', () => {
    const spec = toStudySpec({
      base: 'bert@final',
      dataset: 'spam:2',
      budgets: [50, 0],
      seeds: 3,
      pretrained: { learningRate: 5e-4, pooling: 'mean', minSteps: 200 },
      scratch: { learningRate: 1e-3 },
      textField: 'body',
      reportName: 'spam-study',
    });
    expect(spec.baseModel).toEqual({ name: 'bert', selector: { $case: 'alias', alias: 'final' } });
    expect(spec.labelBudgets).toEqual([50, 0]);
    expect(spec.seeds).toBe(3);
    expect(spec.headlineBudget).toBe(0);
    expect(spec.pretrainedHyperparameters).toMatchObject({ learningRate: 5e-4, minSteps: 200 });
    expect(spec.pretrainedHyperparameters?.pooling).toBe(finetune.Pooling.POOLING_MEAN);
    expect(spec.pretrainedHyperparameters?.epochs).toBeUndefined();
    expect(spec.scratchHyperparameters?.learningRate).toBe(1e-3);
    expect(spec.data?.textField).toBe('body');
    expect(spec.reportModelName).toBe('spam-study');
  });

  it('refuses a malformed reference and an unknown pooling before any call', () => {
    expect(() => toStudySpec({ base: 'bert:zero', dataset: 'spam' })).toThrow(/invalid version reference/);
    expect(() =>
      toStudySpec({ base: 'bert', dataset: 'spam', scratch: { pooling: 'max' as 'cls' } }),
    ).toThrow('pooling must be one of mean, cls, got "max"');
  });

  it('a study is terminal once it succeeded, failed or was cancelled', () => {
    expect(isTerminalStudy(cannedStudy(JobState.JOB_STATE_RUNNING, 2))).toBe(false);
    expect(isTerminalStudy(cannedStudy(JobState.JOB_STATE_CANCELLED, 2))).toBe(true);
  });
});

describe('study RPCs over a real gRPC server', () => {
  it('startStudy sends the spec and the idempotency key, and returns the study', async () => {
    const study = await client.startStudy(
      { base: 'bert@final', dataset: 'spam', budgets: [50], seeds: 2 },
      { idempotencyKey: 'k1' },
    );
    expect(study).toMatchObject({ id: 'study-1', state: JobState.JOB_STATE_QUEUED, trialsTotal: 4 });
    const request = server.requests['StartStudy'] as finetune.StartStudyRequest;
    expect(request.idempotencyKey).toBe('k1');
    expect(request.spec?.labelBudgets).toEqual([50]);
    expect(request.spec?.dataset?.name).toBe('spam');
  });

  it('startStudy passes a wire StudySpec through as is', async () => {
    const spec = toStudySpec({ base: 'bert', dataset: 'spam', headlineBudget: 100 });
    await client.startStudy(spec);
    const request = server.requests['StartStudy'] as finetune.StartStudyRequest;
    expect(request.spec).toEqual(spec);
    expect(request.idempotencyKey).toBe('');
  });

  it('a refusal keeps its code, message and details', async () => {
    const err = await failure(client.startStudy({ base: 'bert', dataset: 'spam', seeds: 1 }));
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(err.message).toContain('seeds must be at least 2');
    expect(err.details).toMatchObject({ field: 'seeds' });
  });

  it('getStudy returns the study; an unknown id is NOT_FOUND', async () => {
    expect((await client.getStudy('study-1')).trialsFinished).toBe(2);
    const err = await failure(client.getStudy('missing'));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.message).toContain('study missing not found');
  });

  it('listStudies sends the filters and returns the page', async () => {
    const page = await client.listStudies({ state: 'running', baseModel: 'bert', pageSize: 10 });
    expect(page.studies.map((s) => s.id)).toEqual(['study-1']);
    expect(page.nextPageToken).toBe('next');
    expect(server.requests['ListStudies']).toEqual({
      state: JobState.JOB_STATE_RUNNING,
      baseModelName: 'bert',
      pageSize: 10,
      pageToken: '',
    });
  });

  it('watchStudy reports every update and resolves with the terminal study', async () => {
    const seen: number[] = [];
    const last = await client.watchStudy('study-1', (s) => seen.push(s.trialsFinished));
    expect(seen).toEqual([0, 2, 4]);
    expect(last.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  });

  it('watchStudy ends with DEADLINE_EXCEEDED naming the RPC when the stream outlives its deadline', async () => {
    const err = await failure(client.watchStudy('hang', undefined, { deadlineMs: 200 }));
    expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(err.message).toContain('WatchStudy');
  });

  it('cancelStudy sends the id and returns the cancelled study', async () => {
    const study = await client.cancelStudy('study-1');
    expect(study.state).toBe(JobState.JOB_STATE_CANCELLED);
    expect(server.requests['CancelStudy']).toEqual({ studyId: 'study-1' });
  });
});
