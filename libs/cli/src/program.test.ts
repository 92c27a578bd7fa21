import { Code, HeadstartError } from '@headstart/errors';
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

  it('exits 1 with an actionable message when the registry is unreachable', async () => {
    const { out, deps } = capture();
    expect(await runCli(['models', 'ls'], deps)).toBe(ExitCode.FAILURE);
    expect(out.stderr).toMatch(/registry at 127\.0\.0\.1:1 is unavailable.*\(UNAVAILABLE\)/);
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
