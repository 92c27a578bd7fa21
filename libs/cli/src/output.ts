import { createTtyReporter, type Reporter } from '@headstart/pipeline/reporter';
import { formatFields, formatTable, type Column } from './table';

/** Where the CLI writes: stdout for results, stderr for errors and progress. */
export interface Writer {
  write(data: string | Uint8Array): unknown;
}

export interface CliStreams {
  stdout: Writer;
  stderr: Writer;
  /** Progress lines are drawn only on a terminal. */
  stderrIsTTY: boolean;
  /** With stderr a terminal too, long commands draw live bars instead of printing progress lines. */
  stdoutIsTTY?: boolean | undefined;
}

/**
 * Everything a command prints goes through here, so the same command serves people (tables, plain
 * lines) and scripts (`--json`: exactly one JSON document on stdout).
 */
export interface Output {
  readonly json: boolean;
  /** The command's result: `json()` is printed with --json, `human()` otherwise. */
  result(json: () => unknown, human: () => string): void;
  table(columns: readonly Column[], rows: readonly (readonly string[])[]): string;
  fields(fields: ReadonlyArray<readonly [string, string]>): string;
  /** A transient status line on stderr (a terminal only); `done` ends it with a newline. */
  progress(text: string, done?: boolean): void;
  /** The raw stdout, for binary output (`download -o -`). */
  readonly stdout: Writer;
  /**
   * Live progress bars on stderr (the main job's terminal reporter) when both stdout and stderr are a
   * terminal and not --json; undefined elsewhere, where long commands print lines a log keeps.
   */
  liveProgress(): Reporter | undefined;
}

export function createOutput(streams: CliStreams, json: boolean): Output {
  return {
    json,
    stdout: streams.stdout,
    result(toJson, toHuman) {
      streams.stdout.write(json ? `${JSON.stringify(toJson(), null, 2)}\n` : toHuman());
    },
    table: formatTable,
    fields: formatFields,
    progress(text, done = false) {
      if (!streams.stderrIsTTY) return;
      // \r + clear-to-end-of-line redraws the same terminal line.
      streams.stderr.write(`\r\x1b[K${text}${done ? '\n' : ''}`);
    },
    liveProgress() {
      if (json || !streams.stderrIsTTY || !streams.stdoutIsTTY) return undefined;
      const { columns } = streams.stderr as { columns?: number };
      return createTtyReporter({ write: (chunk) => streams.stderr.write(chunk), isTTY: true, columns });
    },
  };
}
