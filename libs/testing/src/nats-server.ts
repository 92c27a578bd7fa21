import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { findNatsServerBinary } from './nats-binary';
import { freePort } from './ports';
import { makeTempDir, type TempDir } from './temp-dir';

export interface StartNatsServerOptions {
  /** Enable JetStream (`-js`). Default true. */
  jetstream?: boolean;
  /** JetStream store dir (`-sd`). Default: a new temp dir, deleted by `dispose()`. A given dir is kept. */
  storeDir?: string;
  /** Path of the nats-server executable. Default: found in PATH, then /usr/sbin and friends. */
  binary?: string;
  /** How long to wait for "Server is ready". Default 15_000 ms. */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL. Default 10_000 ms. */
  stopTimeoutMs?: number;
  /** More command-line arguments, e.g. `['--tls', '--tlscert', file, ...]`, `['--user', 'u', '--pass', 'p']`, or `--server_name`, `--cluster`, `--routes` for a cluster node. */
  extraArgs?: readonly string[];
  /** Variables added to the server's environment (e.g. passwords a config file names as `$VAR`). */
  env?: Readonly<Record<string, string>>;
}

export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>`; stays the same across stop/start/restart. */
  readonly url: string;
  readonly port: number;
  /** JetStream store dir; survives stop/kill/restart so streams, consumers and messages persist. */
  readonly storeDir: string;
  /** Pid of the current process, undefined while stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The last lines the server printed (for failure messages). */
  logs(): string;
  /** Starts a stopped or killed server again on the same port with the same store dir. */
  start(): Promise<void>;
  /** SIGTERM, wait for exit, SIGKILL after `stopTimeoutMs`. Data stays. No-op when stopped. */
  stop(): Promise<void>;
  /** `stop()` then `start()`: same port, same store dir. */
  restart(): Promise<void>;
  /** SIGKILL (a crash: no graceful JetStream shutdown) and wait for exit. Data on disk stays. */
  kill(): Promise<void>;
  /** Stops the server and deletes the store dir if the harness created it. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const MAX_LOG_LINES = 200;
const PORT_ATTEMPTS = 5;

/** Servers alive in this process: killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

class PortInUseError extends Error {}

/**
 * Starts a real nats-server on 127.0.0.1 and a free port (no monitoring port), with JetStream on a
 * temp store dir by default. Resolves once the server logs "Server is ready" (no fixed sleeps).
 *
 *     await using nats = await startNatsServer();
 *     const nc = await connect({ servers: nats.url });
 */
export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = findNatsServerBinary(options.binary);
  const jetstream = options.jetstream ?? true;
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const { storeDir, ownedDir } = await prepareStoreDir(options.storeDir);
  installExitHook();

  const logLines: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let port = 0;

  const spawnOnce = async (onPort: number): Promise<void> => {
    const args = ['-a', '127.0.0.1', '-p', String(onPort)];
    if (jetstream) args.push('-js', '-sd', storeDir);
    args.push(...(options.extraArgs ?? []));
    const proc = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C signals the whole foreground group, and a server that
      // got it too would be gone before its owner (`make demo`, `headstart up`) hands work back over it.
      // The owner stops it, last; the exit hook above kills it if the owner exits without doing so.
      detached: true,
      ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
    });
    child = proc;
    live.add(proc);
    exited = new Promise<void>((resolve) => {
      proc.once('exit', () => {
        live.delete(proc);
        if (child === proc) child = undefined;
        resolve();
      });
    });
    await waitUntilReady(proc, binary, logLines, startTimeoutMs).catch(async (err: unknown) => {
      proc.kill('SIGKILL');
      await exited;
      throw err;
    });
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (proc === undefined) return;
    proc.kill(signal);
    if (signal === 'SIGKILL') {
      await exited;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      proc.kill('SIGKILL');
      await exited;
    }
  };

  // A port picked by freePort() can be taken by someone else before nats-server binds it: retry.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await spawnOnce(port);
      break;
    } catch (err) {
      if (!(err instanceof PortInUseError) || attempt >= PORT_ATTEMPTS) {
        await ownedDir?.remove();
        throw err;
      }
    }
  }

  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined;
    },
    logs: () => logLines.join('\n'),
    start: async () => {
      if (child !== undefined) return;
      await spawnOnce(port);
    },
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    restart: async () => {
      await terminate('SIGTERM');
      await spawnOnce(port);
    },
    dispose: async () => {
      await terminate('SIGTERM');
      await ownedDir?.remove();
    },
    [Symbol.asyncDispose]: () => handle.dispose(),
  };
  return handle;
}

/** The JetStream store dir: the one given (created if missing), or a temp dir the handle owns and removes. */
async function prepareStoreDir(
  given: string | undefined,
): Promise<{ storeDir: string; ownedDir: TempDir | undefined }> {
  if (given !== undefined) {
    await fs.mkdir(given, { recursive: true });
    return { storeDir: given, ownedDir: undefined };
  }
  const ownedDir = await makeTempDir('nats');
  return { storeDir: ownedDir.path, ownedDir };
}

/**
 * Resolves when the server logs "Server is ready"; rejects with PortInUseError when its port is taken, or
 * when it exits or is not ready within `timeoutMs` (with its log). Keeps the last log lines in `logLines`.
 */
function waitUntilReady(
  proc: ChildProcess,
  binary: string,
  logLines: string[],
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        logLines.push(line);
        if (logLines.length > MAX_LOG_LINES) logLines.shift();
        if (line.includes('Server is ready')) settle();
        else if (/address already in use/i.test(line)) settle(new PortInUseError(line));
        else if (/\[FTL\]/.test(line)) settle(new Error(`nats-server failed to start: ${line}`));
        newline = buffered.indexOf('\n');
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('error', (err) => settle(new Error(`cannot run ${binary}: ${err.message}`)));
    proc.once('exit', (code, signal) =>
      settle(
        new Error(
          `nats-server exited during start-up (code ${code}, signal ${signal}):\n${logLines.join('\n')}`,
        ),
      ),
    );
    const timer = setTimeout(
      () => settle(new Error(`nats-server not ready after ${timeoutMs} ms:\n${logLines.join('\n')}`)),
      timeoutMs,
    );
  });
}
