// The services under test, each in its own Node process started from its real entry point (as deployed),
// so their event loops do not share the benchmark's (uploads of 18 MB checkpoints would otherwise block
// the trigger handler in the same loop).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@headstart/testing';

const REPO = join(__dirname, '..', '..', '..');

export interface ServiceProcess {
  readonly name: string;
  readonly address: string;
  readonly child: ChildProcess;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
}

export async function startProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  portVar: string,
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO, entry)], {
    env: { ...process.env, ...env, [portVar]: String(port), HEADSTART_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    address: `127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
