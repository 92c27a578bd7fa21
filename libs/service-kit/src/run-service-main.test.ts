import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';

import { EXIT_BAD_CONFIG, EXIT_FAILED, telemetryOptionsFromEnv } from './run-service-main';

const fixture = path.join(__dirname, '..', 'test-fixtures', 'service-main.cjs');

/** The fixture process, its output so far, and a way to wait for a line of it. */
class FixtureProcess {
  stdout = '';
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>) {
    // Only what node needs from the parent: the fixture must see no stray HEADSTART_* variable.
    this.child = spawn(process.execPath, [fixture], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => (this.stdout += text));
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    // 'close', not 'exit': by then stdout and stderr have been read to their end.
    this.exited = once(this.child, 'close').then(([code]) => code as number | null);
  }

  /** Complete JSON lines of stdout (pino logs and the fixture's own reports). */
  get lines(): Array<Record<string, unknown>> {
    return this.stdout
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async waitForLog(msg: string): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.lines.find((line) => line['msg'] === msg);
      if (found) return found;
      const [event] = await Promise.race([
        once(this.child.stdout!, 'data').then(() => ['data']),
        this.exited.then(() => ['exit']),
      ]);
      if (event === 'exit' && !this.lines.some((line) => line['msg'] === msg)) {
        throw new Error(`fixture exited before logging '${msg}': ${this.stdout}${this.stderr}`);
      }
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }
}

describe('runServiceMain (in a plain node process)', () => {
  beforeAll(() => {
    if (!existsSync(path.join(__dirname, '..', 'dist', 'run-service-main.js'))) {
      throw new Error('build first: pnpm exec tsc --build libs/service-kit');
    }
  });

  it('starts telemetry before loading the spec, logs under the name, and exits 0 after SIGTERM', async () => {
    const fixtureProcess = new FixtureProcess({ HEADSTART_LOG_LEVEL: 'info' });
    const ready = await fixtureProcess.waitForLog('fixture ready');
    expect(ready['name']).toBe('fixture-worker');
    expect(ready['address']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(fixtureProcess.lines[0]).toEqual({
      telemetryStarted: 'telemetry already started for headstart-fixture-worker',
    });

    fixtureProcess.kill('SIGTERM');
    expect(await fixtureProcess.exitCode()).toBe(0);
    expect(fixtureProcess.lines.find((l) => l['msg'] === 'signal received: shutting down')).toBeDefined();
    expect(fixtureProcess.lines.find((l) => l['msg'] === 'fixture shutdown ran')?.['reason']).toBe(
      'signal SIGTERM',
    );
    expect(fixtureProcess.stderr).toBe('');
  });

  it('reports every bad variable at once and exits 2, without starting the process', async () => {
    const fixtureProcess = new FixtureProcess({ FIXTURE_PORT: 'http', HEADSTART_OTEL_EXPORTER: 'jaeger' });
    expect(await fixtureProcess.exitCode()).toBe(EXIT_BAD_CONFIG);
    expect(fixtureProcess.stderr).toContain('invalid configuration:');
    expect(fixtureProcess.stderr).toContain("FIXTURE_PORT: 'http' is not a port");
    expect(fixtureProcess.stderr).toContain(
      "HEADSTART_OTEL_EXPORTER: 'jaeger' is not one of none, console, otlp",
    );
    expect(fixtureProcess.stderr).not.toContain('failed to start');
    // Telemetry ran (without an exporter) despite the bad exporter value.
    expect(fixtureProcess.lines[0]?.['telemetryStarted']).toContain('headstart-fixture-worker');
    expect(fixtureProcess.lines.find((l) => l['msg'] === 'fixture ready')).toBeUndefined();
  });

  it('exits 1 with "<name> failed to start" and the error when start throws', async () => {
    const fixtureProcess = new FixtureProcess({ FIXTURE_FAIL_START: '1' });
    expect(await fixtureProcess.exitCode()).toBe(EXIT_FAILED);
    expect(fixtureProcess.stderr).toContain('fixture worker failed to start:');
    expect(fixtureProcess.stderr).toContain('cannot open the fixture database');
  });

  it('exits 1 when the graceful shutdown fails', async () => {
    const fixtureProcess = new FixtureProcess({ FIXTURE_FAIL_SHUTDOWN: '1' });
    await fixtureProcess.waitForLog('fixture ready');
    fixtureProcess.kill('SIGINT');
    expect(await fixtureProcess.exitCode()).toBe(EXIT_FAILED);
    const failed = fixtureProcess.lines.find((l) => l['msg'] === 'shutdown failed');
    expect(JSON.stringify(failed?.['err'])).toContain('could not flush the fixture state');
  });
});

describe('telemetryOptionsFromEnv', () => {
  it('names the service headstart-<name> and exports nowhere by default', () => {
    expect(telemetryOptionsFromEnv('pretrain-worker', {})).toEqual({
      serviceName: 'headstart-pretrain-worker',
      exporter: 'none',
      otlpEndpoint: undefined,
    });
  });

  it('takes the exporter and the collector from the environment', () => {
    const env = { HEADSTART_OTEL_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' };
    expect(telemetryOptionsFromEnv('registry', env)).toEqual({
      serviceName: 'headstart-registry',
      exporter: 'otlp',
      otlpEndpoint: 'http://collector:4317',
    });
  });

  it('starts no exporter for an unknown value and treats empty variables as unset', () => {
    const env = { HEADSTART_OTEL_EXPORTER: 'jaeger', OTEL_EXPORTER_OTLP_ENDPOINT: '' };
    expect(telemetryOptionsFromEnv('ingest', env)).toMatchObject({
      exporter: 'none',
      otlpEndpoint: undefined,
    });
    expect(telemetryOptionsFromEnv('ingest', { HEADSTART_OTEL_EXPORTER: '' }).exporter).toBe('none');
  });
});
