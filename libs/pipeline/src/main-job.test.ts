// Where the main job's logs go: a file under <home>/logs on a terminal, stdout otherwise or with
// --log-format json; and its command line.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { makeTempDir, type TempDir } from '@headstart/testing';

import { logsToFile, parseMainArgs, setUpConsole, UsageError, type ConsoleStream } from './main-job';

function fakeStdout(isTTY: boolean) {
  const chunks: string[] = [];
  const stream: ConsoleStream = {
    isTTY,
    columns: 120,
    write: (chunk: string, callback?: () => void) => {
      chunks.push(chunk);
      callback?.();
      return true;
    },
  };
  // eslint-disable-next-line no-control-regex
  const text = () => chunks.join('').replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
  return { stream, text };
}

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('main-job');
});
afterEach(async () => {
  await dir.remove();
});

describe('parseMainArgs', () => {
  it('reads --log-format (both spellings) and --keep-up', () => {
    expect(parseMainArgs([])).toEqual({});
    expect(parseMainArgs(['--log-format', 'json', '--keep-up'])).toEqual({ logFormat: 'json', keepUp: true });
    expect(parseMainArgs(['--log-format=auto'])).toEqual({ logFormat: 'auto' });
  });

  it('refuses an unknown argument or format with the usage', () => {
    expect(() => parseMainArgs(['--verbose'])).toThrow(UsageError);
    expect(() => parseMainArgs(['--log-format', 'pretty'])).toThrow(/--log-format must be auto or json/);
    expect(() => parseMainArgs(['--log-format'])).toThrow(/got nothing/);
  });
});

it('logs go to a file only on a terminal in auto format', () => {
  expect(logsToFile('auto', true)).toBe(true);
  expect(logsToFile('auto', false)).toBe(false);
  expect(logsToFile('json', true)).toBe(false);
});

describe('setUpConsole', () => {
  it('on a terminal: JSON logs in <home>/logs/pipeline.log, stage lines and warnings on the terminal', async () => {
    const stdout = fakeStdout(true);
    const out = setUpConsole({ home: dir.path, logLevel: 'info', format: 'auto', stdout: stdout.stream });
    const logFile = path.join(dir.path, 'logs', 'pipeline.log');
    expect(out.logFile).toBe(logFile);
    out.logger.info({ service: 'registry' }, 'version committed');
    out.reporter.stageStarted('data', 1);
    out.logger.warn('a part did not stop in time');
    out.reporter.stageFinished('data', 2);
    await out.close();
    const terminal = stdout.text();
    expect(terminal).toContain(`logs: ${logFile}`);
    expect(terminal).toContain('✓ data  2.0s');
    expect(terminal).toContain('! a part did not stop in time');
    expect(terminal).not.toContain('version committed');
    expect(terminal).not.toContain('{"');
    const lines = fs
      .readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual([
      `logs: ${logFile}`,
      'version committed',
      'stage 1: data',
      'a part did not stop in time',
      'stage data done',
    ]);
    // A line logged after the close (a late part) is dropped, not an error.
    out.logger.info('late');
  });

  it.each([
    ['not a terminal', false, 'auto' as const],
    ['--log-format json on a terminal', true, 'json' as const],
  ])('%s: JSON logs on stdout and no log file', async (_name, isTTY, format) => {
    const stdout = fakeStdout(isTTY);
    const out = setUpConsole({ home: dir.path, logLevel: 'info', format, stdout: stdout.stream });
    expect(out.logFile).toBeUndefined();
    out.reporter.stageStarted('ingest', 2);
    out.reporter.task('tokenizing').progress(5, 10, { unit: 'documents' });
    out.reporter.stageFinished('ingest', 1);
    await out.close();
    const lines = stdout
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; stage?: string });
    expect(lines.map((l) => [l.msg, l.stage])).toEqual([
      ['stage 2: ingest', 'ingest'],
      ['tokenizing: 50%', 'ingest'],
      ['stage ingest done', 'ingest'],
    ]);
    expect(fs.existsSync(path.join(dir.path, 'logs'))).toBe(false);
  });
});
