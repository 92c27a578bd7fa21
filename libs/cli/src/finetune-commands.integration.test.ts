import { waitFor } from '@headstart/testing';
import { ExitCode } from './exit-codes';
import { cliTestRunner } from './cli-test-runner';
import { useFinetuneTestStack } from './finetune-test-stack';

/* The finetune commands through runCli (the binary's path) against a real registry, finetune API, worker
   and nats-server. */

jest.setTimeout(180_000);

const stack = useFinetuneTestStack('cli-finetune');

const { cli, cliJson } = cliTestRunner(() => ({
  defaultRegistry: stack().registry.address,
  defaultFinetune: stack().service.address,
}));

describe('headstart finetune, triggers, classify, fill-mask', () => {
  it('a trigger fine-tunes the checkpoint uploaded after it; jobs, predictions and errors through the CLI', async () => {
    const file = stack().file;
    expect((await cli('upload', 'tok', file('tokenizer.json'), '--kind', 'tokenizer')).code).toBe(0);
    expect(
      (await cli('upload', 'tiny-spam', file('data.jsonl'), '--kind', 'dataset', '--meta', 'format=jsonl'))
        .code,
    ).toBe(0);

    // --min-steps 0: the epochs alone decide (the service's default minimum is hundreds of steps).
    const { trigger } = await cliJson<{
      trigger: { id: string; condition: string; spec: { hyperparameters: Record<string, unknown> } };
    }>(
      'triggers',
      'create',
      'bert',
      '--dataset',
      'tiny-spam',
      '--on',
      'final',
      '--epochs',
      '6',
      '--min-steps',
      '0',
      '--batch-size',
      '8',
      '--lr',
      '0.003',
      '--seed',
      '2',
      '--pooling',
      'cls',
      '--layer-lr-decay',
      '0.9',
    );
    expect(trigger.condition).toBe('TRIGGER_CONDITION_FINAL_CHECKPOINT');
    expect(trigger.spec.hyperparameters).toMatchObject({
      epochs: 6,
      minSteps: 0,
      pooling: 'POOLING_CLS',
      layerLrDecay: 0.9,
    });
    expect((await cli('triggers', 'ls')).stdout).toContain(trigger.id);

    // A trigger that starts a study instead (on a tag no upload carries, and deleted before any does).
    const { trigger: studyTrigger } = await cliJson<{
      trigger: { id: string; spec?: unknown; study: { labelBudgets: number[]; seeds: number } };
    }>(
      'triggers',
      'create',
      'bert',
      '--dataset',
      'tiny-spam',
      '--on',
      'tag:study-me',
      '--study',
      '--budgets',
      '8,all',
      '--seeds',
      '2',
      '--min-steps',
      '0',
    );
    expect(studyTrigger.spec).toBeUndefined();
    expect(studyTrigger.study).toMatchObject({ labelBudgets: [8, 0], seeds: 2 });
    expect((await cli('triggers', 'ls', 'bert')).stdout).toMatch(/bert-tiny-spam-study \(study\)/);
    expect((await cli('triggers', 'rm', studyTrigger.id)).code).toBe(0);
    const tooMany = await cli(
      'triggers',
      'create',
      'bert',
      '--dataset',
      'tiny-spam',
      '--study',
      '--budgets',
      '100',
    );
    expect(tooMany.code).toBe(ExitCode.REFUSED);
    expect(tooMany.stderr).toContain('trigger.study.label_budgets[0]');

    expect(
      (
        await cli(
          'upload',
          'bert',
          file('checkpoint.tar'),
          '--kind',
          'base_model',
          '--parent',
          'tok:1:tokenized_with',
          '--meta',
          'final=true',
        )
      ).code,
    ).toBe(0);
    const job = await waitFor(
      async () => {
        const { finetunes } = await cliJson<{ finetunes: { id: string; state: string }[] }>(
          'finetune',
          'ls',
          '--trigger',
          trigger.id,
        );
        return finetunes.find((f) => f.state === 'JOB_STATE_SUCCEEDED' || f.state === 'JOB_STATE_FAILED');
      },
      { timeoutMs: 120_000, message: 'the triggered job to finish' },
    );
    expect(job.state).toBe('JOB_STATE_SUCCEEDED');
    const shown = await cli('finetune', 'get', job.id);
    expect(shown.stdout).toMatch(/test:\s+accuracy \d+\.\d%, macro-F1/);
    expect(shown.stdout).toContain('bert-tiny-spam:1');

    // A manual control run, followed to its end: exit 0 and the evaluation printed.
    const manual = await cli(
      'finetune',
      'start',
      '--base',
      'bert',
      '--dataset',
      'tiny-spam',
      '--from-scratch',
      '--epochs',
      '2',
      '--min-steps',
      '0',
      '--batch-size',
      '8',
    );
    expect(manual.stderr).toBe('');
    expect(manual.code).toBe(ExitCode.OK);
    expect(manual.stdout).toContain('bert-tiny-spam-scratch:1');

    const answer = await cliJson<{ predictions: { label: string; truncated?: boolean }[] }>(
      'classify',
      'bert-tiny-spam',
      'free cash prize win',
      'team meeting notes report',
    );
    expect(answer.predictions.map((p) => p.label)).toEqual(['spam', 'ham']);
    expect((await cli('classify', 'bert-tiny-spam', 'free cash')).stdout).toMatch(
      /spam\s+0\.\d{3}\s+no\s+free cash/,
    );

    const filled = await cliJson<{ masks: { tokens: { token: string; tokenId: number }[] }[] }>(
      'fill-mask',
      'bert',
      'free [MASK] win',
      '--top-k',
      '2',
    );
    expect(filled.masks[0]?.tokens).toHaveLength(2);

    // Errors: exit codes and messages.
    const baseModel = await cli('classify', 'bert', 'x');
    expect(baseModel.code).toBe(ExitCode.REFUSED);
    expect(baseModel.stderr).toContain('FAILED_PRECONDITION');
    const badField = await cli(
      'finetune',
      'start',
      '--base',
      'bert',
      '--dataset',
      'tiny-spam',
      '--label-field',
      'nope',
    );
    expect(badField.code).toBe(ExitCode.REFUSED);
    expect(badField.stderr).toContain('unknown label field "nope"');
    const badDecay = await cli(
      'finetune',
      'start',
      '--base',
      'bert',
      '--dataset',
      'tiny-spam',
      '--layer-lr-decay',
      '1.5',
    );
    expect(badDecay.code).toBe(ExitCode.REFUSED);
    expect(badDecay.stderr).toContain('--layer-lr-decay must be in (0, 1]');
    expect((await cli('triggers', 'create', 'bert', '--dataset', 'tiny-spam', '--on', 'weird')).code).toBe(
      ExitCode.REFUSED,
    );
    expect((await cli('classify', 'no-such-model', 'x')).code).toBe(ExitCode.NOT_FOUND);

    // Detached start then cancel: the job ends cancelled (or, if a worker was faster, finished).
    const detached = await cli(
      'finetune',
      'start',
      '--base',
      'bert',
      '--dataset',
      'tiny-spam',
      '--detach',
      '--epochs',
      '50',
    );
    const id = detached.stdout.trim();
    expect(id).toMatch(/^ft_/);
    expect((await cli('finetune', 'cancel', id)).code).toBe(0);
    const watched = await cli('finetune', 'watch', id);
    expect(watched.stderr).toContain('was cancelled');
    expect(watched.code).toBe(ExitCode.FAILURE);

    expect((await cli('triggers', 'rm', trigger.id)).code).toBe(0);
    expect((await cli('triggers', 'rm', trigger.id)).code).toBe(ExitCode.NOT_FOUND);
  });

  it('triggers adapt: the run is described as for pretrain start, and a stack without a pretrain address refuses it', async () => {
    const same = await cli(
      'triggers',
      'adapt',
      'bert',
      '--model',
      'bert',
      '--shards',
      'tiny-spam',
      '--max-steps',
      '10',
    );
    expect(same.code).toBe(ExitCode.REFUSED);
    expect(same.stderr).toContain('must differ from trigger.base_model_name');
    // This test stack's finetune API was started without the pretrain service's address.
    const refused = await cli(
      'triggers',
      'adapt',
      'bert',
      '--model',
      'bert-tapt',
      '--shards',
      'tiny-spam',
      '--max-steps',
      '600',
      '--lr',
      '5e-4',
    );
    expect(refused.code).toBe(ExitCode.REFUSED);
    expect(refused.stderr).toContain('HEADSTART_PRETRAIN_ADDR');
    // The base is the checkpoint that fires the trigger: there is no --from.
    const withFrom = await cli(
      'triggers',
      'adapt',
      'bert',
      '--model',
      'x',
      '--shards',
      'tiny-spam',
      '--from',
      'bert',
    );
    expect(withFrom.code).not.toBe(0);
    expect(withFrom.stderr).toContain("unknown option '--from'");
  });
});
