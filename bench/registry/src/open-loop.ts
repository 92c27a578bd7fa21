import type { ChannelCall } from './lookup-load';
import { establishedConnections, load1, startCpuMeter, type CpuShare } from './machine';
import type { Lookup } from './seed';
import { Samples, type LatencySummary } from './stats';

export interface OpenLoopOptions {
  channels: ChannelCall[];
  /** Calls per second offered in total, spread evenly over the channels. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  lookups: readonly Lookup[];
  serverPid: number;
  serverPort: number;
}

export interface OpenLoopResult {
  rate: number;
  channels: number;
  connections: number;
  calls: number;
  errors: number;
  firstError: string | undefined;
  callsPerSecond: number;
  /** From the moment a call was sent to its answer. */
  latency: LatencySummary;
  /** How late calls were sent against their schedule: large values mean the bench could not keep up. */
  sendLag: LatencySummary;
  cpu: CpuShare;
  loadBefore: number;
  loadAfter: number;
}

/**
 * An open loop: each channel sends at its share of `rate` with exponential (Poisson) gaps, whether or
 * not earlier calls have answered, so a slow answer delays nobody's next call and queueing shows up
 * in the latency instead of lowering the offered load. This is how many independent clients behave;
 * the closed loop (lookup-load.ts) instead finds the saturation throughput.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { channels, lookups } = options;
  const meanGapMs = (1000 * channels.length) / options.rate;
  const latency = new Samples();
  const sendLag = new Samples();
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  let firstError: string | undefined;
  let position = 0;
  const loadBefore = load1();
  const startedAt = performance.now();
  const measureFrom = startedAt + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;
  let stopCpu: (() => CpuShare) | undefined;
  let connections = 0;

  const send = (call: ChannelCall, scheduledAt: number): void => {
    const lookup = lookups[position++ % lookups.length];
    if (lookup === undefined) throw new Error('empty lookup mix');
    const sentAt = performance.now();
    const measured = scheduledAt >= measureFrom;
    const done = call(lookup).then(
      () => {
        if (measured) latency.add(performance.now() - sentAt);
      },
      (err: unknown) => {
        errors++;
        firstError ??= String(err);
      },
    );
    if (measured) sendLag.add(sentAt - scheduledAt);
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const channelLoop = (call: ChannelCall): Promise<void> =>
    new Promise((resolve) => {
      // Each channel starts at a random phase so they do not fire together.
      let next = startedAt + Math.random() * meanGapMs;
      const tick = (): void => {
        const now = performance.now();
        while (next <= now && next < stopAt) {
          send(call, next);
          next += -Math.log(1 - Math.random()) * meanGapMs;
        }
        if (next >= stopAt) resolve();
        else setTimeout(tick, Math.max(0, next - performance.now()));
      };
      tick();
    });

  const meterTimer = setTimeout(() => {
    stopCpu = startCpuMeter(options.serverPid);
    connections = establishedConnections(options.serverPort);
  }, options.warmupMs);
  try {
    await Promise.all(channels.map(channelLoop));
    await Promise.all([...inFlight]);
  } finally {
    clearTimeout(meterTimer);
  }
  const seconds = (performance.now() - measureFrom) / 1000;
  return {
    rate: options.rate,
    channels: channels.length,
    connections,
    calls: latency.count,
    errors,
    firstError,
    callsPerSecond: latency.count / seconds,
    latency: latency.summarise(),
    sendLag: sendLag.summarise(),
    cpu: stopCpu?.() ?? { bench: NaN, server: NaN },
    loadBefore,
    loadAfter: load1(),
  };
}
