import * as net from 'node:net';
import { Code, HeadstartError } from '@headstart/errors';
import { freePort } from '@headstart/testing';
import { ExitCode, exitCodeFor } from './exit-codes';
import { runCli } from './program';

/** Captures what the CLI prints. No registry is involved: these command lines fail before any call. */
function capture() {
  const out = { stdout: '', stderr: '' };
  const streams = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    stderrIsTTY: false,
  };
  return { out, deps: { streams, defaultRegistry: '127.0.0.1:1' } };
}

describe('runCli usage handling', () => {
  it('prints help with exit 0', async () => {
    const { out, deps } = capture();
    expect(await runCli(['--help'], deps)).toBe(ExitCode.OK);
    expect(out.stdout).toContain('Usage: headstart');
  });

  it.each([[['bogus']], [['get']], [['upload', 'm', 'f']], [['models']], [['lineage', 'x', '--depth']]])(
    'exits 2 on the usage error %j',
    async (argv) => {
      const { out, deps } = capture();
      expect(await runCli(argv, deps)).toBe(ExitCode.USAGE);
      expect(out.stderr.length).toBeGreaterThan(0);
    },
  );

  it('exits 4 with the message and code name for a malformed reference, before connecting', async () => {
    const { out, deps } = capture();
    expect(await runCli(['get', 'bert:zero'], deps)).toBe(ExitCode.REFUSED);
    expect(out.stderr).toMatch(/invalid version reference "bert:zero".*\(INVALID_ARGUMENT\)/);
  });

  it('prints errors as JSON on stderr with --json', async () => {
    const { out, deps } = capture();
    expect(await runCli(['--json', 'rm', 'bert@production'], deps)).toBe(ExitCode.REFUSED);
    expect(JSON.parse(out.stderr)).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(out.stdout).toBe('');
  });

  it('exits 5 saying to start a stack when nothing listens at the registry address', async () => {
    const { out, deps } = capture();
    expect(await runCli(['models', 'ls'], deps)).toBe(ExitCode.NO_STACK);
    expect(out.stderr).toBe(
      'headstart: no Headstart stack at 127.0.0.1:1: start one with `headstart up`, ' +
        'or point --registry (or HEADSTART_REGISTRY_ADDR) at a running registry service (UNAVAILABLE)\n',
    );
  });
});

describe('a command while no stack is running', () => {
  it.each([
    ['registry', ['models', 'ls']],
    ['ingest', ['jobs', 'ls']],
    ['pretrain', ['pretrain', 'ls']],
    ['finetune', ['finetune', 'ls']],
    ['finetune', ['study', 'report', 'st-1', '--out', 'nowhere']],
  ])(
    'names the %s address with nothing listening and says to run headstart up (%j)',
    async (service, argv) => {
      const address = `127.0.0.1:${await freePort()}`;
      const { out, deps } = capture();
      expect(await runCli([`--${service}`, address, ...argv], deps)).toBe(ExitCode.NO_STACK);
      expect(out.stderr).toMatch(
        new RegExp(
          `^headstart: no Headstart stack at ${address}: start one with \`headstart up\`, or point --${service} `,
        ),
      );
    },
  );

  it('prints it as JSON with --json', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const { out, deps } = capture();
    expect(await runCli(['--json', '--finetune', address, 'finetune', 'ls'], deps)).toBe(ExitCode.NO_STACK);
    expect(JSON.parse(out.stderr)).toEqual({
      error: {
        code: 'UNAVAILABLE',
        message: expect.stringContaining(`no Headstart stack at ${address}`),
        details: { reason: 'no_stack', service: 'finetune', address },
      },
    });
  });

  it('keeps the unavailable message (exit 1) when something listens there but does not answer gRPC', async () => {
    // A server that accepts and hangs up at once: a stack may be there, so "start one" would mislead.
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const { out, deps } = capture();
    try {
      expect(await runCli(['--registry', address, 'models', 'ls'], deps)).toBe(ExitCode.FAILURE);
      expect(out.stderr).toMatch(new RegExp(`the registry at ${address} is unavailable .*\\(UNAVAILABLE\\)`));
    } finally {
      server.close();
    }
  });
});

describe('exitCodeFor', () => {
  it.each([
    [Code.NOT_FOUND, 3],
    [Code.INVALID_ARGUMENT, 4],
    [Code.FAILED_PRECONDITION, 4],
    [Code.ALREADY_EXISTS, 4],
    [Code.UNAVAILABLE, 1],
    [Code.DATA_LOSS, 1],
    [Code.INTERNAL, 1],
  ])('maps code %i to exit %i', (code, exit) => {
    expect(exitCodeFor(new HeadstartError(code, 'x'))).toBe(exit);
  });
});
