import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineContext {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  /** The `uptime` line at the start of the run. */
  uptime: string;
}

export function machineContext(): MachineContext {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    uptime: uptimeLine(),
  };
}

/** `uptime` as the command prints it (falls back to os.loadavg when the command is missing). */
export function uptimeLine(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

/** The 1-minute load average, the figure printed beside every measurement. */
export function load1(): number {
  return loadavg()[0] ?? NaN;
}

const CLOCK_TICKS = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** User + system CPU seconds another process has used so far (Linux /proc). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at index 2: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** User + system CPU seconds this process has used so far. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** CPU used by this process and the server over a measured section, as a share of one core. */
export interface CpuShare {
  bench: number;
  server: number;
}

export function startCpuMeter(serverPid: number): () => CpuShare {
  const startedAt = performance.now();
  const own = ownCpuSeconds();
  const server = processCpuSeconds(serverPid);
  return () => {
    const seconds = (performance.now() - startedAt) / 1000;
    return {
      bench: (ownCpuSeconds() - own) / seconds,
      server: (processCpuSeconds(serverPid) - server) / seconds,
    };
  };
}

/**
 * Established TCP connections whose local port is `port` (the server side of each client
 * connection), read from /proc/net/tcp and tcp6: shows how many channels really reached the server.
 */
export function establishedConnections(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] = local address:port, cols[3] = state (01 = ESTABLISHED).
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '01') count++;
    }
  }
  return count;
}
