// The bad-input property suite (issue 14) over every PretrainService RPC, generated from the descriptor
// set: hostile requests get a specific, short status, the service stays healthy, and a refused call
// changes nothing (the runs and their states compared before and after). No worker: runs stay queued.
// HEADSTART_PROPERTY_RUNS=<cases> and HEADSTART_PROPERTY_SEED=<seed> size and replay it (docs/benchmarks.md).
import { pretrain } from '@headstart/proto';
import { runHostileSuite } from '@headstart/service-kit/testing';

import { startTestStack, tinyRunSpec, type TestStack } from '../test-support/stack';

jest.setTimeout(600_000);

let stack: TestStack;
const runIds: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  // A queued run and a cancelled one; the shards' version 1 exists, the tokenizer is no dataset.
  runIds.push((await stack.client.startRun(tinyRunSpec())).id);
  const cancelled = await stack.client.startRun(tinyRunSpec({ modelName: 'tiny-bert-2' }));
  await stack.client.cancelRun(cancelled.id);
  runIds.push(cancelled.id);
});
afterAll(() => stack?.close());

async function snapshot(): Promise<unknown> {
  const runs = await stack.client.listAllRuns();
  return runs.map((run) => [run.id, run.state]).sort();
}

it('answers hostile requests to every RPC precisely, stays healthy and changes nothing it refused', async () => {
  const report = await runHostileSuite({
    address: `127.0.0.1:${stack.service.port}`,
    service: 'headstart.pretrain.v1.PretrainService',
    context: {
      strings: [...runIds, 'run_missing', 'tiny-shards', 'tiny-wordpiece', 'tiny-bert', 'ghost', 'final'],
      numbers: [1, 2, 16, 20],
    },
    snapshot,
    bases: {
      StartRun: pretrain.StartRunRequest.encode({ spec: tinyRunSpec(), idempotencyKey: '' }).finish(),
      GetRun: pretrain.GetRunRequest.encode({ runId: runIds[0] as string }).finish(),
      ListRuns: pretrain.ListRunsRequest.encode(
        pretrain.ListRunsRequest.fromPartial({ pageSize: 10 }),
      ).finish(),
      WatchRun: pretrain.WatchRunRequest.encode({ runId: runIds[0] as string }).finish(),
      CancelRun: pretrain.CancelRunRequest.encode({ runId: runIds[1] as string }).finish(),
    },
  });
  console.log(report.table());
  expect(report.failures).toEqual([]);
});
