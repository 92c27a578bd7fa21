import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode } from './exit-codes';
import { runCli } from './program';

/* `headstart up` refuses before starting anything when it cannot serve where the CLI connects. */

function capture() {
  const out = { stdout: '', stderr: '' };
  const streams = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    stderrIsTTY: false,
  };
  return { out, streams };
}

describe('headstart up', () => {
  it('names a taken port, its service and the variable to change it, and creates nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const home = path.join(os.tmpdir(), `headstart-up-test-${process.pid}`);
    const { out, streams } = capture();
    try {
      const code = await runCli(
        ['--registry', `127.0.0.1:${port}`, '--ingest', '127.0.0.1:0', 'up', '--home', home],
        { streams, defaultRegistry: '127.0.0.1:0', stopSignal: () => new AbortController().signal },
      );
      expect(code).toBe(ExitCode.REFUSED);
      expect(out.stderr).toContain(
        `port ${port} (registry) is in use: set HEADSTART_REGISTRY_ADDR or --registry to another 127.0.0.1:PORT`,
      );
      expect(fs.existsSync(home)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('serves loopback only', async () => {
    const { out, streams } = capture();
    const code = await runCli(['--finetune', '0.0.0.0:50054', 'up'], {
      streams,
      defaultRegistry: '127.0.0.1:0',
    });
    expect(code).toBe(ExitCode.REFUSED);
    expect(out.stderr).toContain('headstart up serves on 127.0.0.1 only; --finetune names 0.0.0.0');
  });

  it('refuses an unknown --otel exporter before starting anything', async () => {
    const home = path.join(os.tmpdir(), `headstart-up-otel-test-${process.pid}`);
    const { out, streams } = capture();
    const code = await runCli(['--registry', '127.0.0.1:0', 'up', '--home', home, '--otel', 'jaeger'], {
      streams,
      defaultRegistry: '127.0.0.1:0',
      stopSignal: () => new AbortController().signal,
    });
    expect(code).toBe(ExitCode.REFUSED);
    expect(out.stderr).toBe('headstart: --otel must be one of none, console, otlp (INVALID_ARGUMENT)\n');
    expect(fs.existsSync(home)).toBe(false);
  });
});
