// Test support (not exported): runCli as the binary runs it, with what it prints captured.
import { runCli, type CliDependencies } from './program';

export interface CliRun {
  /** The exit status the binary would exit with. */
  code: number;
  stdout: string;
  /** stdout as bytes (an artifact written to `-o -`). */
  stdoutBytes: Buffer;
  stderr: string;
}

export interface CliTestRunner {
  /** Runs one command line (without `headstart`); a failing command is a result, not a throw. */
  cli(...argv: string[]): Promise<CliRun>;
  /** Runs with --json, expects success and returns the parsed document. */
  cliJson<T = Record<string, unknown>>(...argv: string[]): Promise<T>;
}

/**
 * `deps` is called at every run, so it can name the addresses of services a test starts in beforeAll.
 * stderr is not a terminal, as under CI.
 */
export function cliTestRunner(deps: () => Omit<CliDependencies, 'streams'>): CliTestRunner {
  const cli = async (...argv: string[]): Promise<CliRun> => {
    const chunks: Buffer[] = [];
    let stderr = '';
    const code = await runCli(argv, {
      ...deps(),
      streams: {
        stdout: { write: (data: string | Uint8Array) => chunks.push(Buffer.from(data)) },
        stderr: { write: (text: string) => (stderr += text) },
        stderrIsTTY: false,
      },
    });
    const stdoutBytes = Buffer.concat(chunks);
    return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr };
  };
  return {
    cli,
    cliJson: async <T = Record<string, unknown>>(...argv: string[]): Promise<T> => {
      const result = await cli('--json', ...argv);
      if (result.code !== 0)
        throw new Error(`headstart ${argv.join(' ')} exited ${result.code}: ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    },
  };
}
