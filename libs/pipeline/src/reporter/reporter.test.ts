import { Writable } from 'node:stream';

import { createLogger } from '@headstart/service-kit';

import { createPlainReporter } from './plain-reporter';
import { combineReporters, formatDuration, formatValue } from './reporter';
import { createTtyReporter, formatTaskRow } from './tty-reporter';

/** A terminal that keeps what is written. */
function fakeTerminal() {
  const chunks: string[] = [];
  return {
    raw: () => chunks.join(''),
    stream: { isTTY: true, columns: 160, write: (chunk: string) => chunks.push(chunk) },
    /** The text with the cursor movements and line clearing taken out. */
    text: () =>
      chunks
        .join('')
        // eslint-disable-next-line no-control-regex
        .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '')
        .replace(/\r/g, '\n'),
  };
}

/** JSON log lines kept in memory. */
function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: createLogger({ name: 'test', destination }), lines };
}

describe('formatting', () => {
  it('durations, counts and figures', () => {
    expect([formatDuration(3), formatDuration(75), formatDuration(4000)]).toEqual(['3s', '1m15s', '1h06m']);
    expect([formatValue(12600), formatValue(4.21345), formatValue(3104.6), formatValue('x')]).toEqual([
      '12,600',
      '4.213',
      '3,105',
      'x',
    ]);
  });

  it('a task row: bar, percent, counts with unit, fields, ETA; ids and a fraction total show no counts', () => {
    const row = (done: number, total: number, fields = {}) =>
      formatTaskRow({ kind: 'task', label: 'tokenizing', startedAt: 0, done, total, fields }, undefined);
    expect(row(12_600, 30_000, { unit: 'tokens', eta_s: 14, job: 'job-1' })).toBe(
      '  tokenizing  [██████████░░░░░░░░░░░░░░] 42%  12,600/30,000 tokens  ETA 14s',
    );
    expect(row(0.5, 1, { step: '260/520', loss: 4.2134, tokens_per_s: 3104, lr: 0.001, eta_s: 250 })).toBe(
      '  tokenizing  [████████████░░░░░░░░░░░░] 50%  step 260/520  loss 4.213  tokens/s 3,104  ETA 4m10s',
    );
    expect(row(0, 0, { state: 'queued' })).toBe('  tokenizing  state queued');
  });
});

describe('the terminal reporter', () => {
  it('draws a bar while work runs, then one line per finished stage and task', () => {
    const terminal = fakeTerminal();
    let now = 0;
    const reporter = createTtyReporter(terminal.stream, { now: () => now });
    reporter.stageStarted('ingest', 2);
    const task = reporter.task('tokenizer training');
    task.progress(50, 200, { unit: 'merges' });
    now = 3_000;
    task.done('english-wordpiece:1');
    now = 4_000;
    reporter.stageFinished('ingest', 4);
    reporter.stageStarted('pretrain', 3);
    const run = reporter.task('pre-training');
    run.progress(0.25, 1, { step: '5/20', loss: 5.5 });
    reporter.close();
    const text = terminal.text();
    expect(text).toContain('  ✓ tokenizer training: english-wordpiece:1  3s\n');
    expect(text).toContain('✓ ingest  4.0s\n');
    // Work still running when the reporter closes is drawn once more, as it stood.
    expect(text).toContain('  pre-training  [██████░░░░░░░░░░░░░░░░░░] 25%  step 5/20  loss 5.500');
    expect(text.indexOf('✓ tokenizer training')).toBeLessThan(text.indexOf('✓ ingest'));
    // The cursor is shown again.
    expect(terminal.raw()).toContain('\x1b[?25h');
    expect(text).not.toContain('undefined');
  });

  it('draws nothing after close', () => {
    const terminal = fakeTerminal();
    const reporter = createTtyReporter(terminal.stream);
    reporter.close();
    const before = terminal.text();
    reporter.stageStarted('data', 1);
    reporter.task('x').progress(1, 2);
    reporter.note('late');
    reporter.close();
    expect(terminal.text()).toBe(before);
  });
});

describe('the plain reporter', () => {
  it('logs a stage start and end, and long work at each tenth, not at every update', () => {
    const { logger, lines } = memoryLogger();
    const reporter = createPlainReporter(logger);
    reporter.stageStarted('studies', 8);
    const task = reporter.task('study of dictionary-domains');
    for (let done = 0; done <= 200; done++) task.progress(done, 200, { unit: 'trials' });
    task.done();
    reporter.stageFinished('studies', 12.345);
    expect(lines[0]).toMatchObject({ msg: 'stage 8: studies', stage: 'studies' });
    const progress = lines.filter((l) => l['task'] === 'study of dictionary-domains');
    expect(progress.map((l) => l['percent'])).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(progress[5]).toMatchObject({
      msg: 'study of dictionary-domains: 50%',
      done: 100,
      total: 200,
      unit: 'trials',
    });
    expect(lines.at(-1)).toMatchObject({ msg: 'stage studies done', seconds: 12.3, stage: 'studies' });
  });

  it("keeps a stage's own message, starts counting again on a new total, and throttles unknown totals", () => {
    const { logger, lines } = memoryLogger();
    let now = 0;
    const reporter = createPlainReporter(logger, { intervalMs: 1_000, now: () => now });
    const task = reporter.task('tokenizing');
    task.progress(5, 10, {}, 'tokenizing: counting');
    task.progress(1, 100, {}, 'tokenizing: writing');
    // 400 ms apart: one line a second at most.
    for (let i = 0; i < 5; i++) {
      now += 400;
      task.progress(i, 0);
    }
    expect(lines.map((l) => l['msg'])).toEqual([
      'tokenizing: counting',
      'tokenizing: writing',
      'tokenizing: 2',
    ]);
  });
});

it('combineReporters sends every report to each', () => {
  const { logger, lines } = memoryLogger();
  const terminal = fakeTerminal();
  const reporter = combineReporters(createPlainReporter(logger), createTtyReporter(terminal.stream));
  reporter.stageStarted('data', 1);
  reporter.stageFinished('data', 1);
  reporter.close();
  expect(lines.map((l) => l['msg'])).toEqual(['stage 1: data', 'stage data done']);
  expect(terminal.text()).toContain('✓ data  1.0s');
});
