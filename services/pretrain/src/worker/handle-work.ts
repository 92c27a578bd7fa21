// One delivery of a pretrain work item, end to end: claim the run, run an attempt, and settle the record
// and the queue item according to how it ended.
//   completed  → SUCCEEDED, item acked
//   cancelled  → CANCELLED, item acked
//   shutdown   → checkpoint at the current step, record QUEUED, a fresh item published, this one acked:
//                the hand-back does not count as a failed delivery (max_deliver is for failures)
//   failure    → permanent, or the last allowed delivery: FAILED, acked; otherwise record QUEUED and
//                the error rethrown, so the item comes back after the consumer's backoff and resumes
import type { DeliveryContext, EventBus, WorkTypeDef } from '@headstart/events';
import type { pretrain } from '@headstart/proto';
import { common } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import { getTracer, withSpan } from '@headstart/telemetry';
import type { RunStore } from '../runs/run-store';
import { finished } from '../runs/run-state';
import { claimRun } from './claim-run';
import { classifyFailure } from './failure';
import type { AttemptDeps } from './run-attempt';
import { runAttempt } from './run-attempt';
import { LostLeaseError } from './run-reporter';

export interface HandleWorkDeps extends AttemptDeps {
  bus: EventBus;
  workType: WorkTypeDef<pretrain.PretrainWork>;
  workerId: string;
  staleAfterMs: number;
  shuttingDown(): boolean;
}

/** Writes the record if this delivery still holds the lease (a lost lease means someone else owns it). */
async function settle(
  store: RunStore,
  runId: string,
  lease: { worker: string; streamSequence: number },
  change: (run: pretrain.Run) => pretrain.Run,
): Promise<void> {
  await store.update(runId, (record) => {
    if (record.lease?.worker !== lease.worker || record.lease.streamSequence !== lease.streamSequence) {
      throw new LostLeaseError(`run ${runId} is no longer leased to ${lease.worker}`);
    }
    return { run: change(record.run) };
  });
}

export async function handleWork(
  item: pretrain.PretrainWork,
  ctx: DeliveryContext,
  deps: HandleWorkDeps,
): Promise<void> {
  const { logger, store } = deps;
  const runId = item.runId;
  const log: Logger = logger.child({ runId, delivery: ctx.deliveryCount, seq: ctx.streamSequence });
  const claim = await claimRun(store, runId, {
    worker: deps.workerId,
    streamSequence: ctx.streamSequence,
    staleAfterMs: deps.staleAfterMs,
  });
  if (!claim.claimed) {
    log.info({ reason: claim.reason }, 'work item dropped');
    return;
  }
  const { lease } = claim;
  try {
    // A span per attempt, child of the work item's consumer span (so of the StartRun that queued it).
    const outcome = await withSpan(
      getTracer('@headstart/pretrain'),
      'pretrain run',
      { attributes: { 'headstart.run.id': runId, 'headstart.attempt': ctx.deliveryCount } },
      async (span) => {
        const result = await runAttempt(
          claim.run,
          {
            lease,
            working: () => ctx.working(),
            shuttingDown: () => deps.shuttingDown() || ctx.signal.aborted,
          },
          { ...deps, logger: log },
        );
        span.setAttribute('headstart.run.outcome', result.kind);
        return result;
      },
    );
    if (outcome.kind === 'completed') {
      await settle(store, runId, lease, (run) => ({
        ...finished(run, common.JobState.JOB_STATE_SUCCEEDED),
        finalVersion: outcome.finalVersion,
        // The step it ended at: totalSteps, or fewer when its time budget ended it.
        step: outcome.step,
      }));
      log.info({ finalVersion: outcome.finalVersion }, 'run succeeded');
    } else if (outcome.kind === 'cancelled') {
      await settle(store, runId, lease, (run) => finished(run, common.JobState.JOB_STATE_CANCELLED));
      log.info('run cancelled');
    } else {
      await settle(store, runId, lease, (run) => ({
        ...run,
        state: common.JobState.JOB_STATE_QUEUED,
        worker: '',
        updatedAt: new Date(),
      }));
      await deps.bus.enqueueWork(
        deps.workType,
        { runId, requeues: item.requeues + 1 },
        { msgId: `${runId}:requeue:${ctx.streamSequence}` },
      );
      log.info({ step: outcome.step }, 'run handed back to the queue for shutdown');
    }
  } catch (err) {
    if (err instanceof LostLeaseError) {
      log.warn({ err: err.message }, 'run taken over by another worker; stopping this attempt');
      return;
    }
    const failure = classifyFailure(err);
    const lastTry = ctx.deliveryCount >= deps.workType.consumer.maxDeliver;
    if (failure.permanent || lastTry) {
      log.error({ err: failure.message, code: failure.code, permanent: failure.permanent }, 'run failed');
      await settle(store, runId, lease, (run) =>
        finished(run, common.JobState.JOB_STATE_FAILED, { message: failure.message, code: failure.code }),
      ).catch((e: unknown) => log.warn({ err: String(e) }, 'could not record the failure'));
      return;
    }
    log.warn({ err: failure.message, code: failure.code }, 'attempt failed; the run will be retried');
    await settle(store, runId, lease, (run) => ({
      ...run,
      state: common.JobState.JOB_STATE_QUEUED,
      worker: '',
      updatedAt: new Date(),
      error: `attempt ${run.attempts} failed (${failure.code}): ${failure.message}; retrying`,
      errorCode: failure.code,
    })).catch((e: unknown) => log.warn({ err: String(e) }, 'could not record the retry'));
    throw err;
  }
}
