import { common, ingest } from '@headstart/proto';
import { createJobProgressReporter, describeProgress, formatDuration } from './job-progress';
import { createOutput } from './output';

const job = (fields: Partial<ingest.Job>): ingest.Job =>
  ingest.Job.fromPartial({ id: 'J1', state: common.JobState.JOB_STATE_RUNNING, ...fields });

describe('describeProgress', () => {
  it('draws a bar with counts and ETA while running', () => {
    const line = describeProgress(
      job({ phase: 'merging', progress: { done: 12600, total: 30000, unit: 'tokens', etaSeconds: 75 } }),
    );
    expect(line).toBe('merging [##########..............] 42%  12,600/30,000 tokens  ETA 1m15s');
  });

  it('says what it can when the total is unknown, and the outcome at the end', () => {
    expect(describeProgress(job({ phase: 'starting' }))).toBe('starting');
    expect(
      describeProgress(
        job({ phase: 'downloading', progress: { done: 10, total: 0, unit: 'bytes', etaSeconds: 0 } }),
      ),
    ).toBe('downloading 10 B');
    expect(
      describeProgress(
        job({
          phase: 'tokenizing',
          progress: { done: 3 << 20, total: 12 << 20, unit: 'bytes', etaSeconds: 9 },
        }),
      ),
    ).toBe('tokenizing [######..................] 25%  3.0 MiB/12.0 MiB  ETA 9s');
    expect(describeProgress(job({ state: common.JobState.JOB_STATE_QUEUED }))).toBe('queued');
    expect(describeProgress(job({ state: common.JobState.JOB_STATE_FAILED, error: 'boom' }))).toBe(
      'failed: boom',
    );
  });

  it('formats durations', () => {
    expect(formatDuration(3.4)).toBe('3s');
    expect(formatDuration(3600 * 2 + 60 * 5)).toBe('2h05m');
  });
});

describe('createJobProgressReporter', () => {
  it('redraws one terminal line, at most every 100 ms unless the phase changes, and ends it', () => {
    let stderr = '';
    const out = createOutput(
      { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, stderrIsTTY: true },
      false,
    );
    let now = 0;
    const reporter = createJobProgressReporter(out, 'training t', () => now);
    const progress = (done: number) => ({ done, total: 100, unit: 'documents', etaSeconds: 0 });
    reporter.update(job({ phase: 'counting', progress: progress(1) }));
    now = 50;
    reporter.update(job({ phase: 'counting', progress: progress(2) })); // too soon: skipped
    reporter.update(job({ phase: 'merging', progress: progress(3) })); // new phase: drawn
    now = 200;
    reporter.update(job({ state: common.JobState.JOB_STATE_SUCCEEDED, phase: 'done' }));
    reporter.finish();
    const draws = stderr.split('\r\x1b[K').filter((s) => s !== '');
    expect(draws).toHaveLength(4);
    expect(draws[0]).toMatch(/^training t {2}counting \[.*\] 1% {2}1\/100 documents$/);
    expect(draws[1]).toMatch(/^training t {2}merging /);
    expect(draws[3]).toBe('training t  succeeded\n');
  });

  it('draws nothing when stderr is not a terminal', () => {
    let stderr = '';
    const out = createOutput(
      { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, stderrIsTTY: false },
      false,
    );
    const reporter = createJobProgressReporter(out, 'x');
    reporter.update(job({ phase: 'counting' }));
    reporter.finish();
    expect(stderr).toBe('');
  });
});
