import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { createRegistryClient } from '@headstart/registry-client';
import { freePort } from '@headstart/testing';

export interface RegistryProcessOptions {
  dataDir: string;
  natsUrl: string;
  /** Where the registry's JSON log lines go. */
  logFile: string;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  nodeArgs?: string[];
  /** @default the main.js beside @headstart/registry's entry point */
  mainPath?: string;
  /** @default 30_000 */
  startTimeoutMs?: number;
}

export interface RegistryProcess {
  readonly pid: number;
  readonly port: number;
  readonly address: string;
  /** SIGTERM (the registry drains and exits, writing a --cpu-prof profile if asked), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/** The registry's process entry point, found through the package (not a path into its sources). */
export function defaultRegistryMain(): string {
  return path.join(path.dirname(require.resolve('@headstart/registry')), 'main.js');
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

function lastLines(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts `node <registry main.js>` as its own process, configured only through HEADSTART_* variables
 * as in production, on a free loopback port, and resolves once a gRPC channel to it is ready.
 */
export async function startRegistryProcess(options: RegistryProcessOptions): Promise<RegistryProcess> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const log = openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.mainPath ?? defaultRegistryMain()],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HEADSTART_REGISTRY_HOST: '127.0.0.1',
        HEADSTART_REGISTRY_PORT: String(port),
        HEADSTART_DATA_DIR: options.dataDir,
        HEADSTART_NATS_URL: options.natsUrl,
        HEADSTART_LOG_LEVEL: 'info',
        HEADSTART_OTEL_EXPORTER: 'none',
      },
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const exit = exited(child);
  const probe = createRegistryClient({ address });
  try {
    const died = exit.then((code) => {
      throw new Error(
        `the registry exited with code ${code} before it was ready; its log:\n${lastLines(options.logFile, 20)}`,
      );
    });
    // Only the race cares; once it is decided, a later exit (at stop) must not be an unhandled rejection.
    died.catch(() => undefined);
    await Promise.race([probe.waitForReady(options.startTimeoutMs ?? 30_000), died]);
  } catch (err) {
    child.kill('SIGKILL');
    await exit;
    throw err;
  } finally {
    probe.close();
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('the registry process has no pid');
  return {
    pid,
    port,
    address,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
