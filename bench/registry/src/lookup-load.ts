import type { RegistryClient } from '@headstart/registry-client';

import { establishedConnections, load1, startCpuMeter, type CpuShare } from './machine';
import type { Lookup } from './seed';
import { Samples, type LatencySummary } from './stats';

/** One call over one channel; rejects on an error or a wrong answer. */
export type ChannelCall = (lookup: Lookup) => Promise<void>;

export interface ClosedLoopOptions {
  /** The channels; caller i uses `channels[i % channels.length]`. */
  channels: ChannelCall[];
  /** Callers, each with one call in flight at a time (a closed loop). */
  callers: number;
  warmupMs: number;
  durationMs: number;
  lookups: readonly Lookup[];
  /** Registry process id and port, for its CPU share and connection count. */
  serverPid: number;
  serverPort: number;
}

export interface LoadResult {
  callers: number;
  channels: number;
  /** Established TCP connections to the registry while measuring. */
  connections: number;
  calls: number;
  errors: number;
  firstError: string | undefined;
  seconds: number;
  callsPerSecond: number;
  latency: LatencySummary;
  cpu: CpuShare;
  loadBefore: number;
  loadAfter: number;
}

/**
 * Runs `callers` concurrent loops of calls for a warm-up, then records every call started in the
 * measured window (latency from send to answer, as the caller sees it). A call that fails or answers
 * wrongly counts as an error.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const { channels, callers, lookups } = options;
  const samples = new Samples();
  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  let measureStart = 0;
  let lastEnd = 0;
  let errors = 0;
  let firstError: string | undefined;
  let connections = 0;
  let stopCpu: (() => CpuShare) | undefined;
  const loadBefore = load1();

  const caller = async (index: number): Promise<void> => {
    const call = channels[index % channels.length];
    if (call === undefined) throw new Error('no channels');
    let position = Math.floor((index * lookups.length) / callers);
    while (phase !== 'stop') {
      const lookup = lookups[position++ % lookups.length];
      if (lookup === undefined) throw new Error('empty lookup mix');
      const measured = phase === 'measure';
      const startedAt = performance.now();
      try {
        await call(lookup);
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
      const endedAt = performance.now();
      if (measured) {
        samples.add(endedAt - startedAt);
        lastEnd = Math.max(lastEnd, endedAt);
      }
    }
  };

  const warmupTimer = setTimeout(() => {
    phase = 'measure';
    measureStart = performance.now();
    stopCpu = startCpuMeter(options.serverPid);
    connections = establishedConnections(options.serverPort);
  }, options.warmupMs);
  const stopTimer = setTimeout(() => {
    phase = 'stop';
  }, options.warmupMs + options.durationMs);
  try {
    await Promise.all(Array.from({ length: callers }, (_, i) => caller(i)));
  } finally {
    clearTimeout(warmupTimer);
    clearTimeout(stopTimer);
  }
  const cpu = stopCpu?.() ?? { bench: NaN, server: NaN };
  const seconds = (lastEnd - measureStart) / 1000;
  return {
    callers,
    channels: channels.length,
    connections,
    calls: samples.count,
    errors,
    firstError,
    seconds,
    callsPerSecond: samples.count / seconds,
    latency: samples.summarise(),
    cpu,
    loadBefore,
    loadAfter: load1(),
  };
}

/** GetVersion through the typed client, checked against the version the lookup must return. */
export function getVersionCall(client: RegistryClient): ChannelCall {
  return async (lookup) => {
    const version = await client.getVersion(lookup.ref);
    if (version.version !== lookup.expectedVersion) {
      throw new Error(
        `${lookup.label} lookup answered version ${version.version}, expected ${lookup.expectedVersion}`,
      );
    }
  };
}
