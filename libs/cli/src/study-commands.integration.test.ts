import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { finetune } from '@headstart/proto';
import { createRegistryService } from '@headstart/registry';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { cliTestRunner } from './cli-test-runner';
import { ExitCode } from './exit-codes';
import { startStudyTestServer, type StudyTestServer } from './study-test-server';

/* The study commands through runCli (the binary's path) against a study-serving fake of the finetune
   service (the real one does not serve studies yet) and a real registry holding the REPORT version. */

let nats: NatsServerHandle;
let dir: TempDir;
let registry: Awaited<ReturnType<typeof createRegistryService>>;
let studies: StudyTestServer;

const { cli, cliJson } = cliTestRunner(() => ({
  defaultRegistry: registry.address,
  defaultFinetune: studies.address,
}));

const REPORT_FILES: Record<string, string> = {
  'study.json': '{"format":"headstart.study"}\n',
  'report.md': '# spam: does pre-training help?\n',
  'figures/learning-curve.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
};

/** The report artifact as the service makes it: an uncompressed ustar of the files. */
async function writeReportTar(): Promise<string> {
  const source = path.join(dir.path, 'report-src');
  for (const [name, content] of Object.entries(REPORT_FILES)) {
    await fs.mkdir(path.dirname(path.join(source, name)), { recursive: true });
    await fs.writeFile(path.join(source, name), content);
  }
  const archive = path.join(dir.path, 'report.tar');
  execFileSync('tar', ['--format=ustar', '-cf', archive, '-C', source, ...Object.keys(REPORT_FILES)]);
  return archive;
}

beforeAll(async () => {
  nats = await startNatsServer();
  dir = await makeTempDir('cli-study-it');
  registry = await createRegistryService({
    dataDir: path.join(dir.path, 'registry'),
    natsUrl: nats.url,
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 1_000,
    logger: createLogger({ name: 'cli-study-it', level: 'error' }),
  });
  studies = await startStudyTestServer();
  const upload = await cli('upload', 'spam-study', await writeReportTar(), '--kind', 'report');
  expect(upload.stderr).toBe('');
});

afterAll(async () => {
  studies?.stop();
  await registry?.shutdown();
  await nats?.dispose();
  await dir?.remove();
});

describe('headstart study', () => {
  it('start sends the spec and prints the id; bad flags fail before any call', async () => {
    const run = await cli(
      'study',
      'start',
      'bert@final',
      'spam:1',
      '--budgets',
      '50,all',
      '--seeds',
      '3',
      '--headline',
      '50',
      '--lr',
      '5e-4',
      '--scratch-lr',
      '1e-3',
      '--min-steps',
      '100',
      '--pooling',
      'mean',
      '--text-field',
      'body',
      '--name',
      'spam-study',
      '--tag',
      't1',
      '--idempotency-key',
      'k1',
    );
    expect(run).toMatchObject({ code: ExitCode.OK, stdout: 'st-done\n' });
    const request = studies.requests['StartStudy'] as finetune.StartStudyRequest;
    expect(request.idempotencyKey).toBe('k1');
    expect(request.spec).toMatchObject({
      labelBudgets: [50, 0],
      seeds: 3,
      headlineBudget: 50,
      reportModelName: 'spam-study',
      tags: ['t1'],
      data: { textField: 'body' },
      pretrainedHyperparameters: { learningRate: 5e-4, minSteps: 100 },
      scratchHyperparameters: { learningRate: 1e-3, minSteps: 100 },
    });
    const refused = await cli('study', 'start', 'bert', 'spam', '--budgets', '0');
    expect(refused.code).toBe(ExitCode.REFUSED);
    expect(refused.stderr).toMatch(/--budgets takes positive integers or "all".*\(INVALID_ARGUMENT\)/);
  });

  it('start --watch follows the study: a line per finished trial, then the verdict and tables', async () => {
    const run = await cli('study', 'start', 'bert', 'spam', '--watch');
    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toContain('st-done  running: 1/4 trials (pretrained 1/2, scratch 0/2)\n');
    expect(run.stdout).toContain('st-done  succeeded: 4/4 trials (pretrained 2/2, scratch 2/2)\n');
    expect(run.stdout).toMatch(/^verdict: +\+11\.2 points accuracy at 50 labels/m);
    expect(run.stdout).toContain('| 50 | 90.0% | 78.8% |');
    expect(run.stdout).toMatch(/^scratch +50 +2 +succeeded +90\.0% +0\.8800$/m);
  });

  it.each([
    ['st-cancelled', ExitCode.FAILURE, /study st-cancelled was cancelled \(CANCELLED\)/],
    ['st-failed', ExitCode.FAILURE, /study st-failed failed: every trial failed \(INTERNAL\)/],
    ['nope', ExitCode.NOT_FOUND, /study nope not found \(NOT_FOUND\)/],
  ])('watch %s exits %i', async (id, code, message) => {
    const run = await cli('study', 'watch', id);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it('get prints the study; --json the proto3 JSON of it', async () => {
    const run = await cli('study', 'get', 'st-done');
    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toMatch(/^report: +spam-study:1$/m);
    expect(run.stdout).toMatch(/^ARM +BUDGET +SEED +STATE +TEST ACC +MACRO-F1$/m);
    const doc = await cliJson<{ study: { id: string; state: string; trials: unknown[] } }>(
      'study',
      'get',
      'st-done',
    );
    expect(doc.study).toMatchObject({ id: 'st-done', state: 'JOB_STATE_SUCCEEDED' });
    expect(doc.study.trials).toHaveLength(4);
  });

  it('ls sends the filters and lists the studies', async () => {
    const run = await cli('study', 'ls', '--state', 'running', '--base', 'bert');
    expect(run.stdout).toMatch(/^STUDY +STATE +BASE +DATASET +TRIALS +REPORT +CREATED +VERDICT$/m);
    expect(run.stdout).toMatch(/^st-done +succeeded +bert:3 +spam:1 +4\/4 +spam-study:1 /m);
    expect(studies.requests['ListStudies']).toMatchObject({ state: 2, baseModelName: 'bert' });
    const doc = await cliJson<{ studies: Array<{ id: string }> }>('study', 'ls', '--limit', '2');
    expect(doc.studies.map((s) => s.id)).toEqual(['st-done', 'st-running']);
  });

  it('cancel prints the new state', async () => {
    expect(await cli('study', 'cancel', 'st-running')).toMatchObject({
      code: ExitCode.OK,
      stdout: 'st-running: cancelled\n',
    });
    expect(studies.requests['CancelStudy']).toEqual({ studyId: 'st-running' });
  });

  it('report downloads the REPORT version and unpacks it into --out', async () => {
    const out = path.join(dir.path, 'out', 'spam');
    const run = await cli('study', 'report', 'st-done', '--out', out);
    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toContain('report spam-study:1 of study st-done: 3 files in');
    for (const [name, content] of Object.entries(REPORT_FILES)) {
      expect(await fs.readFile(path.join(out, name), 'utf8')).toBe(content);
      expect(run.stdout).toContain(path.join(out, name));
    }
    const doc = await cliJson<{ files: Array<{ path: string; size: number }> }>(
      'study',
      'report',
      'st-done',
      '--out',
      out,
    );
    expect(doc.files).toContainEqual({ path: path.join(out, 'report.md'), size: 32 });
  });

  it('report refuses a study without a report, naming its state', async () => {
    const run = await cli('study', 'report', 'st-running', '--out', path.join(dir.path, 'none'));
    expect(run.code).toBe(ExitCode.REFUSED);
    expect(run.stderr).toMatch(/study st-running is running: only a succeeded study has a report/);
    await expect(fs.stat(path.join(dir.path, 'none'))).rejects.toThrow();
  });
});
