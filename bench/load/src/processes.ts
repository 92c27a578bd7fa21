// Service processes for the load bench: each service's own dist entry point with HEADSTART_* variables,
// ready when it logs its ready line; resident memory read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** Resident set size in MiB (0 once exited). */
  rssMiB(): number;
  stop(): Promise<void>;
}

export async function startProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, entry)], {
    env: { ...process.env, HEADSTART_LOG_LEVEL: 'info', HEADSTART_OTEL_EXPORTER: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready:\n${lines.join('\n')}`)), timeoutMs);
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > 50) lines.shift();
      if (ready.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    readline.createInterface({ input: child.stdout! }).on('line', onLine);
    readline.createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${lines.join('\n')}`));
    });
  });
  const pid = child.pid as number;
  return {
    name,
    pid,
    rssMiB() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        return kb / 1024;
      } catch {
        return 0;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
