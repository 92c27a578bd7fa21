import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroupCpuQuota, cpuBudget } from './cpu_budget';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cgroup-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), `${text}\n`);
};

describe('cgroupCpuQuota', () => {
  it('reads a cgroup v2 quota, and "max" as no limit', () => {
    write('cpu.max', '150000 100000');
    expect(cgroupCpuQuota(root)).toEqual({ cores: 1.5, source: 'cgroup v2 cpu.max' });
    write('cpu.max', 'max 100000');
    expect(cgroupCpuQuota(root)).toBeUndefined();
  });

  it('reads a cgroup v1 CFS quota, and -1 as no limit', () => {
    write('cpu/cpu.cfs_quota_us', '200000');
    write('cpu/cpu.cfs_period_us', '100000');
    expect(cgroupCpuQuota(root)).toEqual({ cores: 2, source: 'cgroup v1 cfs quota' });
    write('cpu/cpu.cfs_quota_us', '-1');
    expect(cgroupCpuQuota(root)).toBeUndefined();
  });

  it('has no quota where there is no cgroup file', () => {
    expect(cgroupCpuQuota(root)).toBeUndefined();
  });
});

describe('cpuBudget', () => {
  it('takes the quota when it is below the cores the process may run on, rounding up', () => {
    write('cpu.max', '50000 100000');
    expect(cpuBudget(root)).toEqual({ cores: 1, source: 'cgroup v2 cpu.max' });
    write('cpu.max', `${(os.availableParallelism() + 8) * 100000} 100000`);
    expect(cpuBudget(root)).toEqual({ cores: os.availableParallelism(), source: 'affinity' });
  });
});
