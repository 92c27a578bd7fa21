import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { cliTestRunner } from './cli-test-runner';
import { ExitCode } from './exit-codes';
import { useFinetuneTestStack } from './finetune-test-stack';

/* The study commands through runCli against the real finetune API, worker and registry, at tiny scale: a
   one-layer base, 24 training examples, budgets 4 and all, 2 seeds: 16 trials of a few steps each. */

jest.setTimeout(240_000);

const stack = useFinetuneTestStack('cli-study');

const { cli, cliJson } = cliTestRunner(() => ({
  defaultRegistry: stack().registry.address,
  defaultFinetune: stack().service.address,
}));

const REPORT_FILES = ['accuracy.svg', 'macro-f1.svg', 'paired-difference.svg', 'report.md', 'study.json'];

async function uploadFixtures(): Promise<void> {
  const { file } = stack();
  const uploads = [
    ['tok', file('tokenizer.json'), '--kind', 'tokenizer'],
    ['tiny-spam', file('data.jsonl'), '--kind', 'dataset', '--meta', 'format=jsonl'],
    ['bert', file('checkpoint.tar'), '--kind', 'base_model', '--parent', 'tok:1:tokenized_with'],
  ];
  for (const args of uploads) {
    const run = await cli('upload', ...args);
    expect(run.stderr).toBe('');
  }
}

beforeAll(uploadFixtures);

describe('headstart study against the finetune service', () => {
  it('start --watch runs the study to its verdict; get, ls and report show what the service recorded', async () => {
    const run = await cli(
      ...['study', 'start', 'bert', 'tiny-spam', '--budgets', '4,all', '--seeds', '2', '--headline', '4'],
      ...[
        '--epochs',
        '2',
        '--min-steps',
        '0',
        '--lr',
        '0.003',
        '--scratch-lr',
        '0.003',
        '--name',
        'tiny-study',
      ],
      '--watch',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toMatch(
      / succeeded: 16\/16 trials \(pretrained 4\/4, scratch 4\/4, naive_bayes 4\/4, logistic_regression 4\/4\)$/m,
    );
    expect(run.stdout).toMatch(/^verdict: +.*at 4 labels/m);
    expect(run.stdout).toMatch(/^report: +tiny-study:1$/m);
    expect(run.stdout).toContain('## Results');
    expect(run.stdout).toMatch(/^logistic_regression +all \(24\) +2 +succeeded +\d+\.\d% +\d\.\d{4}$/m);

    const { studies } = await cliJson<{ studies: Array<{ id: string; state: string }> }>(
      'study',
      'ls',
      '--base',
      'bert',
    );
    expect(studies).toHaveLength(1);
    const id = studies[0]!.id;
    const got = await cliJson<{ study: { trials: unknown[]; verdict: string } }>('study', 'get', id);
    expect(got.study.trials).toHaveLength(16);

    const out = stack().file('report');
    const report = await cliJson<{ files: Array<{ path: string; size: number }> }>(
      'study',
      'report',
      id,
      '--out',
      out,
    );
    expect(report.files.map((f) => path.relative(out, f.path)).sort()).toEqual(REPORT_FILES);
    expect(await fs.readFile(path.join(out, 'report.md'), 'utf8')).toContain('## Paired differences');
    expect(JSON.parse(await fs.readFile(path.join(out, 'study.json'), 'utf8'))).toMatchObject({
      trials: expect.any(Array),
    });
  });

  it('a cancelled study exits non-zero when watched and has no report', async () => {
    const started = await cli('study', 'start', 'bert', 'tiny-spam', '--budgets', '4', '--seeds', '2');
    expect(started.code).toBe(ExitCode.OK);
    const id = started.stdout.trim();
    expect((await cli('study', 'cancel', id)).stdout).toMatch(new RegExp(`^${id}: (cancelled|running)`));
    const watched = await cli('study', 'watch', id);
    expect(watched.code).toBe(ExitCode.FAILURE);
    expect(watched.stderr).toMatch(new RegExp(`study ${id} was cancelled \\(CANCELLED\\)`));
    const report = await cli('study', 'report', id, '--out', stack().file('none'));
    expect(report.code).toBe(ExitCode.REFUSED);
    expect(report.stderr).toMatch(
      new RegExp(`study ${id} is cancelled: only a succeeded study has a report`),
    );
  });
});
