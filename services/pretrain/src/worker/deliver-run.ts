// One delivery of a pretrain work item: libs/jobs deliverJob claims the run, runs the training attempt
// and settles the record and the item (SUCCEEDED with the final version and step, CANCELLED, handed back
// to the queue for a stopping worker, or FAILED / retried by the failure's class).
import type { DeliveryContext, EventBus, WorkTypeDef } from '@headstart/events';
import { deliverJob } from '@headstart/jobs';
import type { pretrain } from '@headstart/proto';
import { getTracer, withSpan } from '@headstart/telemetry';
import { classifyFailure } from './failure';
import type { AttemptDeps } from './run-attempt';
import { runAttempt } from './run-attempt';

export interface DeliverRunDeps extends AttemptDeps {
  bus: EventBus;
  workType: WorkTypeDef<pretrain.PretrainWork>;
  workerId: string;
  staleAfterMs: number;
  shuttingDown(): boolean;
}

export function deliverRun(
  item: pretrain.PretrainWork,
  ctx: DeliveryContext,
  deps: DeliverRunDeps,
): Promise<void> {
  const { bus, workType } = deps;
  const logger = deps.logger.child({
    runId: item.runId,
    delivery: ctx.deliveryCount,
    seq: ctx.streamSequence,
  });
  return deliverJob(item.runId, ctx, {
    store: deps.store,
    workerId: deps.workerId,
    staleAfterMs: deps.staleAfterMs,
    maxDeliver: workType.consumer.maxDeliver,
    noun: 'run',
    logger,
    // A span per attempt, child of the work item's consumer span (so of the StartRun that queued it).
    attempt: ({ job, lease }) =>
      withSpan(
        getTracer('@headstart/pretrain'),
        'pretrain run',
        { attributes: { 'headstart.run.id': job.id, 'headstart.attempt': ctx.deliveryCount } },
        async (span) => {
          const outcome = await runAttempt(
            job,
            {
              lease,
              working: () => ctx.working(),
              shuttingDown: () => deps.shuttingDown() || ctx.signal.aborted,
            },
            { ...deps, logger },
          );
          span.setAttribute('headstart.run.outcome', outcome.kind);
          return outcome;
        },
      ),
    // The hand-back is not a failed delivery: it counts in the item's requeues, not its deliveries.
    handBack: async (runId, msgId) => {
      await bus.enqueueWork(workType, { runId, requeues: item.requeues + 1 }, { msgId });
    },
    classifyFailure,
  });
}
