// The PretrainService implementation: each RPC checks its request and calls the run logic (runs/) or the
// run records; a thrown HeadstartError becomes the call's status in the service kit.
import { Code, HeadstartError } from '@headstart/errors';
import { JOB_ID_PATTERN, requestCancel } from '@headstart/jobs';
import type { pretrain } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { serverStream, unary } from '@headstart/service-kit';
import type { NatsConnection } from 'nats';
import type { RunStore } from '../runs/run-records';
import { startRun } from '../runs/start-run';
import { watchRun } from '../runs/watch-run';
import { pageRuns } from './list-runs';

export interface PretrainHandlerDeps {
  registry: RegistryClient;
  store: RunStore;
  /** For WatchRun's progress subscription. */
  nc: NatsConnection;
  /** Puts a run on the work queue (deduplicated by run id). */
  enqueue(runId: string): Promise<void>;
  logger: Logger;
}

function checkRunId(runId: string): string {
  if (!JOB_ID_PATTERN.test(runId)) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `run_id "${runId}" is not a run id`, {
      details: { field: 'run_id' },
    });
  }
  return runId;
}

async function getRun(store: RunStore, runId: string): Promise<pretrain.Run> {
  const stored = await store.get(checkRunId(runId));
  if (!stored)
    throw new HeadstartError(Code.NOT_FOUND, `run ${runId} does not exist`, { details: { runId } });
  return stored.job;
}

export function createPretrainHandlers(deps: PretrainHandlerDeps): pretrain.PretrainServiceServer {
  const { store, logger } = deps;
  return {
    startRun: unary(async (request: pretrain.StartRunRequest) => {
      const run = await startRun(request, deps);
      logger.info({ runId: run.id, model: run.spec?.modelName }, 'run queued');
      return { run };
    }),
    getRun: unary(async (request: pretrain.GetRunRequest) => ({ run: await getRun(store, request.runId) })),
    listRuns: unary(async (request: pretrain.ListRunsRequest) => pageRuns(await store.list(), request)),
    watchRun: serverStream((request: pretrain.WatchRunRequest, ctx) =>
      watchRun(checkRunId(request.runId), ctx, deps),
    ),
    cancelRun: unary(async (request: pretrain.CancelRunRequest) => {
      await getRun(store, request.runId);
      // A queued run ends at once; a running one at its worker's next step, keeping its checkpoints.
      const run = await requestCancel(store, request.runId);
      logger.info({ runId: run.id, state: run.state }, 'run cancel requested');
      return { run };
    }),
  };
}
