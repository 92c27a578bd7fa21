import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';

import { EchoChannel } from './echo';
import { getVersionCall, runClosedLoop, type ChannelCall } from './lookup-load';
import { uptimeLine } from './machine';
import { runOpenLoop } from './open-loop';
import type { LabelledLoad, LabelledOpenLoop } from './report';
import type { Lookup } from './seed';

/**
 * A client with its own connection: grpc-js shares one subchannel (one TCP connection) between all
 * clients of the same target and options unless each has a local subchannel pool.
 */
export function openRegistryChannel(address: string): RegistryClient {
  return createRegistryClient({ address, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
}

export interface Channels {
  calls: ChannelCall[];
  close(): void;
}

export interface LoadPlan {
  sequentialMs: number;
  durationMs: number;
  warmupMs: number;
  callers: number;
  channelCounts: number[];
  /** Offered calls/s of the open-loop runs, over `callers` channels. */
  openRates: number[];
  lookups: Lookup[];
}

/** Sequential, then `callers` over each channel count, against one server. */
export async function loadSeries(
  target: string,
  plan: LoadPlan,
  server: { pid: number; port: number },
  open: (count: number) => Promise<Channels>,
): Promise<{ closed: LabelledLoad[]; open: LabelledOpenLoop[] }> {
  const results: LabelledLoad[] = [];
  const openResults: LabelledOpenLoop[] = [];
  const one = async (label: string, callers: number, count: number, measureMs: number): Promise<void> => {
    const channels = await open(count);
    try {
      const result = await runClosedLoop({
        channels: channels.calls,
        callers,
        warmupMs: plan.warmupMs,
        durationMs: measureMs,
        lookups: plan.lookups,
        serverPid: server.pid,
        serverPort: server.port,
      });
      if (result.firstError !== undefined) {
        console.error(`${target} ${label}: ${result.errors} errors, first: ${result.firstError}`);
      }
      results.push({ label, result });
      console.log(
        `  ${target} ${label}: ${result.callsPerSecond.toFixed(0)} calls/s, p50 ${result.latency.p50Ms.toFixed(2)} ms, ` +
          `p99 ${result.latency.p99Ms.toFixed(2)} ms  [${uptimeLine()}]`,
      );
    } finally {
      channels.close();
    }
  };
  await one('sequential', 1, 1, plan.sequentialMs);
  for (const c of plan.channelCounts)
    await one(`${plan.callers} callers / ${c} ch`, plan.callers, c, plan.durationMs);
  for (const rate of plan.openRates) {
    const channels = await open(plan.callers);
    try {
      const result = await runOpenLoop({
        channels: channels.calls,
        rate,
        warmupMs: plan.warmupMs,
        durationMs: plan.durationMs,
        lookups: plan.lookups,
        serverPid: server.pid,
        serverPort: server.port,
      });
      const label = `${rate}/s over ${plan.callers} ch`;
      if (result.firstError !== undefined) {
        console.error(`${target} ${label}: ${result.errors} errors, first: ${result.firstError}`);
      }
      openResults.push({ label, result });
      console.log(
        `  ${target} open loop ${label}: p50 ${result.latency.p50Ms.toFixed(2)} ms, ` +
          `p99 ${result.latency.p99Ms.toFixed(2)} ms  [${uptimeLine()}]`,
      );
    } finally {
      channels.close();
    }
  }
  return { closed: results, open: openResults };
}

/** `count` registry channels, each calling GetVersion and checking the answer. */
export async function registryChannels(address: string, count: number): Promise<Channels> {
  const clients = Array.from({ length: count }, () => openRegistryChannel(address));
  await Promise.all(clients.map((c) => c.waitForReady(10_000)));
  return { calls: clients.map(getVersionCall), close: () => clients.forEach((c) => c.close()) };
}

/** `count` channels to the do-nothing server. */
export async function echoChannels(port: number, count: number): Promise<Channels> {
  const clients = Array.from({ length: count }, () => new EchoChannel(`127.0.0.1:${port}`));
  await Promise.all(clients.map((c) => c.waitForReady(10_000)));
  return { calls: clients.map((c) => () => c.call()), close: () => clients.forEach((c) => c.close()) };
}
