// The Headstart stack as separate processes on loopback for the fault-injection suite: a real nats-server
// and each service's own dist entry point (main.js / worker.js) with HEADSTART_* variables, every one
// killable with SIGKILL and restartable on the same port with the same data dir. Readiness is the
// process's own "ready" log line (no sleeps).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { freePort, startNatsServer, type NatsServerHandle } from '@headstart/testing';

const ROOT = path.resolve(__dirname, '..', '..');

export type Component =
  'nats-server' | 'registry' | 'pretrain-api' | 'pretrain-worker' | 'finetune-api' | 'finetune-worker';

export const COMPONENTS: readonly Component[] = [
  'nats-server',
  'registry',
  'pretrain-api',
  'pretrain-worker',
  'finetune-api',
  'finetune-worker',
];

interface ProcessDef {
  entry: string;
  env: Record<string, string>;
  /** A log line that says the process serves. */
  ready: RegExp;
}

const MAX_LINES = 400;
/** Every process's whole output goes to `<dir>/<name>.log` when set (for a failure's post-mortem). */
const LOG_DIR = process.env['HEADSTART_FAULT_LOG_DIR'];

/** One service process: start (waits for its ready line), SIGKILL, start again with the same env. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly lines: string[] = [];
  /** Every line ever printed that matches one of `watch` (kept beyond the ring buffer). */
  readonly watched: string[] = [];
  /** Lines and bytes printed over the process's life (the ring buffer keeps only the last lines). */
  printed = { lines: 0, bytes: 0 };
  starts = 0;

  constructor(
    readonly name: Component,
    private readonly def: ProcessDef,
    private readonly watch: RegExp[] = [],
  ) {}

  /** Keeps every line matching one of `patterns` in `watched` too. */
  watchFor(patterns: readonly RegExp[]): void {
    this.watch.push(...patterns);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  logs(last = 40): string {
    return this.lines.slice(-last).join('\n');
  }

  async start(timeoutMs = 60_000): Promise<void> {
    if (this.child) return;
    this.starts++;
    const child = spawn(process.execPath, [path.join(ROOT, this.def.entry)], {
      env: { ...process.env, ...this.def.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logs()}`)),
        timeoutMs,
      );
      const onLine = (line: string) => {
        this.lines.push(line);
        this.printed.lines++;
        this.printed.bytes += line.length + 1;
        if (LOG_DIR) appendFileSync(path.join(LOG_DIR, `${this.name}.log`), `${line}\n`);
        if (this.lines.length > MAX_LINES) this.lines.shift();
        if (this.watch.some((w) => w.test(line))) this.watched.push(line);
        if (this.def.ready.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      };
      readline.createInterface({ input: child.stdout! }).on('line', onLine);
      readline.createInterface({ input: child.stderr! }).on('line', onLine);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code ?? signal}) before it was ready:\n${this.logs()}`));
      });
    });
  }

  /** kill -9 and wait for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface FaultStack {
  dir: string;
  nats: NatsServerHandle;
  registryAddress: string;
  pretrainAddress: string;
  finetuneAddress: string;
  processes: Record<Exclude<Component, 'nats-server'>, ServiceProcess>;
  /** Kills a component with SIGKILL (nats-server too). */
  kill(component: Component): Promise<void>;
  /** Starts it again on the same port with the same data dir; resolves once it is ready. */
  restart(component: Component): Promise<void>;
  close(): Promise<void>;
}

export interface FaultStackOptions {
  dir: string;
  /** Ack wait of both work queues: how soon a killed worker's item goes to the next one. */
  ackWaitMs: number;
  logLevel?: string;
  /** More nats-server arguments (TLS, a user), and the URL the services dial then (e.g. tls://localhost:PORT). */
  nats?: { extraArgs: string[]; url(port: number): string };
  /** More variables for every service process (TLS files, the tokens file, a token, NATS credentials). */
  env?: Record<string, string>;
  /** Every process's lines matching one of these are kept whole (`watched`), e.g. planted secrets. */
  watchAll?: RegExp[];
}

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const { dir } = options;
  const nats = await startNatsServer({
    storeDir: path.join(dir, 'nats'),
    ...(options.nats ? { extraArgs: options.nats.extraArgs } : {}),
  });
  const [registryPort, pretrainPort, finetunePort, pretrainHealth, finetuneHealth] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const registryAddress = `127.0.0.1:${registryPort}`;
  const pretrainAddress = `127.0.0.1:${pretrainPort}`;
  const finetuneAddress = `127.0.0.1:${finetunePort}`;
  const common = {
    HEADSTART_NATS_URL: options.nats ? options.nats.url(nats.port) : nats.url,
    HEADSTART_LOG_LEVEL: options.logLevel ?? 'info',
    HEADSTART_OTEL_EXPORTER: 'none',
    HEADSTART_REGISTRY_ADDR: registryAddress,
    HEADSTART_BACKEND: 'cpu',
    HEADSTART_THREADS: '1',
    ...options.env,
  };
  const processes = {
    registry: new ServiceProcess(
      'registry',
      {
        entry: 'services/registry/dist/main.js',
        env: {
          ...common,
          HEADSTART_REGISTRY_HOST: '127.0.0.1',
          HEADSTART_REGISTRY_PORT: String(registryPort),
          HEADSTART_DATA_DIR: path.join(dir, 'registry'),
        },
        ready: /"msg":"registry ready"/,
      },
      [/"msg":"version committed"/],
    ),
    'pretrain-api': new ServiceProcess('pretrain-api', {
      entry: 'services/pretrain/dist/main.js',
      env: {
        ...common,
        HEADSTART_PRETRAIN_HOST: '127.0.0.1',
        HEADSTART_PRETRAIN_PORT: String(pretrainPort),
        HEADSTART_PRETRAIN_ACK_WAIT_MS: String(options.ackWaitMs),
      },
      ready: /"msg":"pretrain ready"/,
    }),
    'pretrain-worker': new ServiceProcess(
      'pretrain-worker',
      {
        entry: 'services/pretrain/dist/worker.js',
        env: {
          ...common,
          HEADSTART_HEALTH_PORT: String(pretrainHealth),
          HEADSTART_DATA_DIR: path.join(dir, 'pretrain-worker'),
          HEADSTART_PRETRAIN_ACK_WAIT_MS: String(options.ackWaitMs),
          HEADSTART_PRETRAIN_PROGRESS_MS: '0',
        },
        ready: /"msg":"pretrain worker started"/,
      },
      [/"msg":"training"/],
    ),
    'finetune-api': new ServiceProcess('finetune-api', {
      entry: 'services/finetune/dist/main.js',
      env: {
        ...common,
        HEADSTART_FINETUNE_HOST: '127.0.0.1',
        HEADSTART_FINETUNE_PORT: String(finetunePort),
        HEADSTART_DATA_DIR: path.join(dir, 'finetune'),
        HEADSTART_PRETRAIN_ADDR: pretrainAddress,
        HEADSTART_FINETUNE_ACK_WAIT_MS: String(options.ackWaitMs),
        // A checkpoint event the killed API had taken comes back after this (30 s by default).
        HEADSTART_FINETUNE_TRIGGER_ACK_WAIT_MS: String(options.ackWaitMs),
      },
      ready: /"msg":"finetune listening"/,
    }),
    'finetune-worker': new ServiceProcess('finetune-worker', {
      entry: 'services/finetune/dist/worker.js',
      env: {
        ...common,
        HEADSTART_HEALTH_PORT: String(finetuneHealth),
        HEADSTART_DATA_DIR: path.join(dir, 'finetune-worker'),
        HEADSTART_WORKER_NAME: 'fault-worker',
        HEADSTART_FINETUNE_ACK_WAIT_MS: String(options.ackWaitMs),
      },
      ready: /"msg":"finetune worker ready"/,
    }),
  };
  for (const p of Object.values(processes)) p.watchFor(options.watchAll ?? []);
  const stack: FaultStack = {
    dir,
    nats,
    registryAddress,
    pretrainAddress,
    finetuneAddress,
    processes,
    async kill(component) {
      if (component === 'nats-server') await nats.kill();
      else await processes[component].kill();
    },
    async restart(component) {
      if (component === 'nats-server') await nats.start();
      else await processes[component].start();
    },
    async close() {
      await Promise.all(Object.values(processes).map((p) => p.stop(5_000)));
      await nats.stop();
    },
  };
  try {
    await processes.registry.start();
    await Promise.all([processes['pretrain-api'].start(), processes['finetune-api'].start()]);
    await Promise.all([processes['pretrain-worker'].start(), processes['finetune-worker'].start()]);
  } catch (err) {
    await stack.close().catch(() => undefined);
    throw err;
  }
  return stack;
}
