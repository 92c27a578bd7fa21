import type { LoadResult } from './lookup-load';
import type { OpenLoopResult } from './open-loop';
import type { Timed, TransferRound } from './transfer';
import { median } from './stats';

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '-');

export function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [pad(header, widths), ...rows.map((r) => pad(r, widths))].join('\n');
}

export interface LabelledLoad {
  label: string;
  result: LoadResult;
}

export interface LabelledOpenLoop {
  label: string;
  result: OpenLoopResult;
}

export function lookupTable(results: LabelledLoad[]): string {
  return table(
    [
      'GetVersion',
      'callers',
      'channels',
      'conns',
      'calls/s',
      'mean ms',
      'p50',
      'p90',
      'p99',
      'p99.9',
      'max',
      'server cpu',
      'server µs/call',
      'bench µs/call',
      'load',
    ],
    results.map(({ label, result: r }) => [
      label,
      String(r.callers),
      String(r.channels),
      String(r.connections),
      r.callsPerSecond.toFixed(0),
      ms(r.latency.meanMs),
      ms(r.latency.p50Ms),
      ms(r.latency.p90Ms),
      ms(r.latency.p99Ms),
      ms(r.latency.p999Ms),
      ms(r.latency.maxMs),
      `${(r.cpu.server * 100).toFixed(0)}%`,
      ((r.cpu.server / r.callsPerSecond) * 1e6).toFixed(0),
      ((r.cpu.bench / r.callsPerSecond) * 1e6).toFixed(0),
      `${r.loadBefore.toFixed(2)}→${r.loadAfter.toFixed(2)}`,
    ]),
  );
}

const MIB = 1024 * 1024;

export type TransferKey = keyof TransferRound;

export const TRANSFER_LABELS: Record<TransferKey, string> = {
  cp: 'cp',
  cpSync: 'cp + sync FILE',
  hash: 'client pre-hash only (sha256 read)',
  upload: 'upload (client defaults: pre-hash)',
  uploadNoPrehash: 'upload (prehashFile: false)',
  download: 'download to file (verified, fsync)',
};

export function mibPerSecond(t: Timed, sizeBytes: number): number {
  return sizeBytes / MIB / t.seconds;
}

export function medianRate(rounds: TransferRound[], key: TransferKey, sizeBytes: number): number {
  return median(rounds.map((r) => mibPerSecond(r[key], sizeBytes)));
}

/** CPU milliseconds per MiB moved: less sensitive to a loaded machine than MiB/s. */
function cpuMsPerMib(t: Timed, share: number, sizeBytes: number): number {
  return (share * t.seconds * 1000) / (sizeBytes / MIB);
}

export function transferTable(rounds: TransferRound[], sizeBytes: number): string {
  const keys = Object.keys(TRANSFER_LABELS) as TransferKey[];
  return table(
    [
      'transfer',
      ...rounds.map((_, i) => `round ${i + 1} MiB/s`),
      'median MiB/s',
      'server CPU ms/MiB',
      'bench CPU ms/MiB',
      'load',
    ],
    keys.map((key) => [
      TRANSFER_LABELS[key],
      ...rounds.map((r) => mibPerSecond(r[key], sizeBytes).toFixed(0)),
      medianRate(rounds, key, sizeBytes).toFixed(0),
      median(rounds.map((r) => cpuMsPerMib(r[key], r[key].cpu.server, sizeBytes))).toFixed(1),
      median(rounds.map((r) => cpuMsPerMib(r[key], r[key].cpu.bench, sizeBytes))).toFixed(1),
      rounds.map((r) => r[key].load.toFixed(1)).join('/'),
    ]),
  );
}

export function ratioTable(rounds: TransferRound[], sizeBytes: number): string {
  const rate = (key: TransferKey): number => medianRate(rounds, key, sizeBytes);
  const row = (key: TransferKey): string[] => [
    TRANSFER_LABELS[key],
    (rate(key) / rate('cp')).toFixed(2),
    (rate(key) / rate('cpSync')).toFixed(2),
  ];
  return table(
    ['ratio of medians', '÷ cp', '÷ cp + sync'],
    [row('upload'), row('uploadNoPrehash'), row('download')],
  );
}

/** The registry against the do-nothing server, load by load: what the registry adds to a gRPC call. */
export function floorTable(registry: LabelledLoad[], floor: LabelledLoad[]): string {
  const rows: string[][] = [];
  for (const r of registry) {
    const f = floor.find((x) => x.label === r.label);
    if (f === undefined) continue;
    const serverUs = (l: LoadResult): number => (l.cpu.server / l.callsPerSecond) * 1e6;
    rows.push([
      r.label,
      (r.result.callsPerSecond / f.result.callsPerSecond).toFixed(2),
      (r.result.latency.p99Ms / f.result.latency.p99Ms).toFixed(2),
      `${serverUs(r.result).toFixed(0)} vs ${serverUs(f.result).toFixed(0)}`,
    ]);
  }
  return table(['registry ÷ floor', 'calls/s', 'p99', 'server µs/call'], rows);
}

export function openLoopTable(results: { target: string; label: string; result: OpenLoopResult }[]): string {
  return table(
    [
      'open loop',
      'offered',
      'answered/s',
      'p50',
      'p90',
      'p99',
      'p99.9',
      'max',
      'send lag p99',
      'server cpu',
      'load',
    ],
    results.map(({ target, result: r }) => [
      target,
      `${r.rate}/s`,
      r.callsPerSecond.toFixed(0),
      ms(r.latency.p50Ms),
      ms(r.latency.p90Ms),
      ms(r.latency.p99Ms),
      ms(r.latency.p999Ms),
      ms(r.latency.maxMs),
      ms(r.sendLag.p99Ms),
      `${(r.cpu.server * 100).toFixed(0)}%`,
      `${r.loadBefore.toFixed(2)}→${r.loadAfter.toFixed(2)}`,
    ]),
  );
}
