import { P99_GOAL_MS } from './goal';
import type { LoadPlan } from './load-series';
import {
  floorTable,
  lookupTable,
  openLoopTable,
  ratioTable,
  transferTable,
  type LabelledLoad,
  type LabelledOpenLoop,
} from './report';
import type { SeedShape } from './seed';
import type { TransferRound } from './transfer';

export interface Results {
  lookups: LabelledLoad[];
  floor: LabelledLoad[];
  openLookups: LabelledOpenLoop[];
  openFloor: LabelledOpenLoop[];
  transfers: TransferRound[];
}

/** The end-of-run report: every table, and the goal checks. */
export function printSummary(results: Results, plan: LoadPlan, shape: SeedShape, sizeBytes: number): void {
  const { lookups, floor, openLookups, openFloor, transfers } = results;
  console.log('');
  if (lookups.length > 0) {
    console.log(
      `GetVersion, mix of by-number / by-alias / latest over ${shape.models}×${shape.versionsPerModel} versions; ` +
        `${plan.warmupMs / 1000} s warm-up, ${plan.durationMs / 1000} s measured (sequential ${plan.sequentialMs / 1000} s); ` +
        'latency in ms as the caller sees it; µs/call = CPU time per call',
    );
    console.log(lookupTable(lookups));
    for (const { label, result } of lookups.filter((l) => l.label !== 'sequential')) {
      const p99 = result.latency.p99Ms;
      console.log(
        `goal p99 < ${P99_GOAL_MS} ms with ${label}: ${p99 < P99_GOAL_MS ? 'met' : 'MISSED'} (${p99.toFixed(2)} ms)`,
      );
    }
    if (floor.length > 0) {
      console.log('');
      console.log('the floor: the same loads against a do-nothing grpc-js server (441-byte answers)');
      console.log(lookupTable(floor));
      console.log(floorTable(lookups, floor));
    }
    if (openLookups.length > 0) {
      console.log('');
      console.log(
        `open loop: ${plan.callers} channels sending at a fixed total rate (Poisson), latency from send to answer`,
      );
      console.log(
        openLoopTable([
          ...openLookups.map((l) => ({ ...l, target: 'registry' })),
          ...openFloor.map((l) => ({ ...l, target: 'grpc floor' })),
        ]),
      );
      for (const { label, result } of openLookups) {
        const p99 = result.latency.p99Ms;
        console.log(
          `goal p99 < ${P99_GOAL_MS} ms at ${label}: ${p99 < P99_GOAL_MS ? 'met' : 'MISSED'} (${p99.toFixed(2)} ms)`,
        );
      }
    }
    console.log('');
  }
  if (transfers.length > 0) {
    console.log(`artifact transfers, ${sizeBytes / 1024 / 1024} MiB, same directory, same run`);
    console.log(transferTable(transfers, sizeBytes));
    console.log(ratioTable(transfers, sizeBytes));
    console.log('');
  }
}
