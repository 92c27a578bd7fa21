// How many cores this process may use: the fewer of the cores it may run on (affinity, what
// os.availableParallelism() reports) and its cgroup's CPU quota. In a Kubernetes pod with
// `limits.cpu: 2` on a 64-core node, availableParallelism() says 64; a kernel pool of 64 threads then
// gets throttled by the CFS quota every period and runs far slower than 2 threads would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CpuBudget {
  /** Threads to compute with: at least 1. */
  cores: number;
  /** Where the figure came from, for logs. */
  source: 'affinity' | 'cgroup v2 cpu.max' | 'cgroup v1 cfs quota';
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The quota in cores, or undefined when unlimited or unreadable. cgroup v2 first, then v1. */
export function cgroupCpuQuota(
  root = '/sys/fs/cgroup',
): { cores: number; source: CpuBudget['source'] } | undefined {
  // v2: "max 100000" (no limit) or "<quota> <period>" in microseconds.
  const max = readText(path.join(root, 'cpu.max'));
  if (max !== undefined) {
    const [quota, period] = max.split(/\s+/);
    const q = Number(quota);
    const p = Number(period);
    if (quota === 'max' || !(q > 0 && p > 0)) return undefined;
    return { cores: q / p, source: 'cgroup v2 cpu.max' };
  }
  // v1: cpu.cfs_quota_us is -1 when unlimited.
  const q = Number(
    readText(path.join(root, 'cpu', 'cpu.cfs_quota_us')) ?? readText(path.join(root, 'cpu.cfs_quota_us')),
  );
  const p = Number(
    readText(path.join(root, 'cpu', 'cpu.cfs_period_us')) ?? readText(path.join(root, 'cpu.cfs_period_us')),
  );
  if (!(q > 0 && p > 0)) return undefined;
  return { cores: q / p, source: 'cgroup v1 cfs quota' };
}

/** The cores to compute with by default (a fractional quota rounds up: 1.5 cores → 2 threads). */
export function cpuBudget(root?: string): CpuBudget {
  const affinity = os.availableParallelism();
  const quota = cgroupCpuQuota(root);
  if (quota && Math.ceil(quota.cores) < affinity) {
    return { cores: Math.max(1, Math.ceil(quota.cores)), source: quota.source };
  }
  return { cores: Math.max(1, affinity), source: 'affinity' };
}
