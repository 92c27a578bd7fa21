import { runDataCli, USAGE } from './cli';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runDataCli(argv, {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    defaultOutDir: '/nonexistent/never-used',
  });
  return { code, ...out };
}

describe('runDataCli argument handling', () => {
  it('prints usage for --help', async () => {
    expect(await run('--help')).toEqual({ code: 0, stdout: USAGE, stderr: '' });
  });

  it('rejects unknown options, positionals and non-integer seeds with exit code 2, building nothing', async () => {
    for (const argv of [['--bogus'], ['somewhere'], ['--seed', 'abc'], ['--seed', '1.5'], ['--seed', '']]) {
      const result = await run(...argv);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.length).toBeGreaterThan(0);
    }
  });
});
