// Registry benchmark, in one run:
//   1. GetVersion throughput and latency: the registry runs as its own process (services/registry
//      main.js, configured through HEADSTART_* variables, with a real nats-server for its outbox),
//      seeded with 20 models x 10 versions with lineage and aliases. After a warm-up it is driven by
//      one sequential caller, by 64 closed-loop callers over 64, 4 and 1 channels (a channel is a
//      client with its own HTTP/2 connection), and by an open loop of 64 channels at fixed total
//      rates; lookups mix by-number, by-alias and latest. The same loads against a do-nothing grpc-js
//      server give the floor that gRPC on this machine sets.
//   2. Upload and download MiB/s of a 256 MiB artifact file through the typed client, against `cp`
//      and `cp` + `sync FILE` of the same file in the same directory, in the same run.
//   3. The machine: cores, node, `uptime` (load) beside every figure.
// Usage: node dist/main.js [--duration-s 10] [--warmup-s 3] [--sequential-s 5] [--callers 64]
//        [--channels 64,4,1] [--open-rates 100,300,1000] [--models 20] [--versions 10]
//        [--artifact-mb 256] [--rounds 3] [--dir DIR] [--json FILE] [--registry-main FILE]
//        [--server-cpu-prof DIR] [--server-node-args="--trace-gc ..."]
//        [--skip-floor] [--skip-transfers] [--skip-lookups] [--keep]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { startNatsServer } from '@headstart/testing';

import { startEchoProcess } from './echo';
import {
  echoChannels,
  loadSeries,
  openRegistryChannel,
  registryChannels,
  type LoadPlan,
} from './load-series';
import { machineContext, uptimeLine } from './machine';
import { waitForOutboxDrained } from './outbox-drain';
import { startRegistryProcess } from './registry-process';
import { medianRate, type LabelledLoad, type LabelledOpenLoop } from './report';
import { lookupMix, seedRegistry, type SeedShape } from './seed';
import { printSummary } from './summary';
import type { TransferRound } from './transfer';
import { runTransfers } from './transfer';

const { values: args } = parseArgs({
  options: {
    'duration-s': { type: 'string', default: '10' },
    'warmup-s': { type: 'string', default: '3' },
    'sequential-s': { type: 'string', default: '5' },
    callers: { type: 'string', default: '64' },
    channels: { type: 'string', default: '64,4,1' },
    'open-rates': { type: 'string', default: '100,300,1000' },
    models: { type: 'string', default: '20' },
    versions: { type: 'string', default: '10' },
    'artifact-mb': { type: 'string', default: '256' },
    rounds: { type: 'string', default: '3' },
    dir: { type: 'string', default: tmpdir() },
    json: { type: 'string' },
    'server-cpu-prof': { type: 'string' },
    'server-node-args': { type: 'string' },
    'registry-main': { type: 'string' },
    'skip-floor': { type: 'boolean', default: false },
    'skip-transfers': { type: 'boolean', default: false },
    'skip-lookups': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got ${text}`);
  return value;
}

async function main(): Promise<number> {
  const plan: LoadPlan = {
    durationMs: positive('duration-s', args['duration-s']) * 1000,
    warmupMs: positive('warmup-s', args['warmup-s']) * 1000,
    sequentialMs: positive('sequential-s', args['sequential-s']) * 1000,
    callers: positive('callers', args.callers),
    channelCounts: (args.channels ?? '').split(',').map((c) => positive('channels', c)),
    openRates: (args['open-rates'] ?? '')
      .split(',')
      .filter((r) => r !== '' && r !== '0')
      .map((r) => positive('open-rates', r)),
    lookups: [],
  };
  const shape: SeedShape = {
    models: positive('models', args.models),
    versionsPerModel: positive('versions', args.versions),
  };
  plan.lookups = lookupMix(shape);
  const sizeBytes = Math.round(positive('artifact-mb', args['artifact-mb']) * 1024 * 1024);
  const rounds = positive('rounds', args.rounds);

  const machine = machineContext();
  console.log(
    `machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, node ${machine.node}`,
  );
  console.log(`uptime at start: ${machine.uptime}`);

  const work = await mkdtemp(path.join(args.dir ?? tmpdir(), 'headstart-bench-registry-'));
  const nats = await startNatsServer();
  const nodeArgs = [
    ...(args['server-cpu-prof'] === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['server-cpu-prof'])}`]),
    ...(args['server-node-args']?.split(' ').filter((a) => a !== '') ?? []),
  ];
  const dataDir = path.join(work, 'registry');
  const registry = await startRegistryProcess({
    dataDir,
    natsUrl: nats.url,
    logFile: path.join(work, 'registry.log'),
    nodeArgs,
    ...(args['registry-main'] === undefined ? {} : { mainPath: path.resolve(args['registry-main']) }),
  });
  console.log(
    `registry: separate process pid ${registry.pid} at ${registry.address}, data in ${work}, ` +
      `outbox relay to a real nats-server at ${nats.url}`,
  );

  let lookups: LabelledLoad[] = [];
  let floor: LabelledLoad[] = [];
  let openLookups: LabelledOpenLoop[] = [];
  let openFloor: LabelledOpenLoop[] = [];
  let transfers: TransferRound[] = [];
  const admin = openRegistryChannel(registry.address);
  try {
    if (!args['skip-lookups']) {
      const seedStart = performance.now();
      const seeded = await seedRegistry(admin, shape);
      const seedSeconds = (performance.now() - seedStart) / 1000;
      console.log(
        `seeded ${seeded} versions (${shape.models} models × ${shape.versionsPerModel}, lineage, 3 aliases each) ` +
          `in ${seedSeconds.toFixed(1)} s (${(seeded / seedSeconds).toFixed(0)} commits/s, 4 models in parallel)`,
      );
      const drainSeconds = await waitForOutboxDrained(dataDir);
      console.log(`outbox drained to NATS ${drainSeconds.toFixed(1)} s after the last commit`);
      ({ closed: lookups, open: openLookups } = await loadSeries('registry', plan, registry, (count) =>
        registryChannels(registry.address, count),
      ));
      if (!args['skip-floor']) {
        const echo = await startEchoProcess();
        try {
          ({ closed: floor, open: openFloor } = await loadSeries('grpc floor', plan, echo, (count) =>
            echoChannels(echo.port, count),
          ));
        } finally {
          await echo.stop();
        }
      }
    }
    if (!args['skip-transfers']) {
      console.log(`transfers: ${rounds} rounds of a ${sizeBytes / 1024 / 1024} MiB file in ${work}`);
      transfers = await runTransfers({
        client: admin,
        serverPid: registry.pid,
        dir: work,
        sizeBytes,
        rounds,
      });
    }
  } finally {
    admin.close();
    await registry.stop();
    await nats.dispose();
    if (!args.keep) await rm(work, { recursive: true, force: true });
  }

  printSummary({ lookups, floor, openLookups, openFloor, transfers }, plan, shape, sizeBytes);
  console.log(`uptime at end: ${uptimeLine()}`);

  if (args.json !== undefined) {
    const summary = {
      machine,
      shape,
      plan: { ...plan, lookups: undefined },
      lookups,
      floor,
      openLookups,
      openFloor,
      transfers: { sizeBytes, rounds: transfers },
      medianMibPerSecond: Object.fromEntries(
        (['cp', 'cpSync', 'hash', 'upload', 'uploadNoPrehash', 'download'] as const).map((k) => [
          k,
          transfers.length ? medianRate(transfers, k, sizeBytes) : null,
        ]),
      ),
      endUptime: uptimeLine(),
    };
    await writeFile(args.json, `${JSON.stringify(summary, null, 2)}\n`);
  }
  const errors = [...lookups, ...floor, ...openLookups, ...openFloor].reduce(
    (sum, l) => sum + l.result.errors,
    0,
  );
  if (errors > 0) {
    console.error(`${errors} calls failed or answered wrongly`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('registry benchmark failed:', err);
    process.exit(1);
  },
);
