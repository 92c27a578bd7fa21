import { toFinetuneSpec, toTrigger } from '@headstart/finetune-client';
import { finetune } from '@headstart/proto';
import { toSpecInput } from './commands/finetune-spec-options';
import { toTriggerInput } from './commands/triggers';

describe('finetune start and triggers create options', () => {
  it('leaves every unset option to the service', () => {
    expect(toSpecInput({ dataset: 'spam' })).toEqual({ dataset: 'spam', fromScratch: false });
    const h = toFinetuneSpec(toSpecInput({ dataset: 'spam' })).hyperparameters;
    expect(h?.pooling).toBe(finetune.Pooling.POOLING_UNSPECIFIED);
    expect(h?.layerLrDecay).toBeUndefined();
    expect(h?.minSteps).toBeUndefined();
  });

  it('maps --pooling, --layer-lr-decay and --min-steps (0 included) to the spec', () => {
    const input = toSpecInput({
      dataset: 'spam',
      epochs: '3',
      pooling: 'CLS',
      layerLrDecay: '0.8',
      minSteps: '0',
    });
    expect(input).toMatchObject({ epochs: 3, pooling: 'cls', layerLrDecay: 0.8, minSteps: 0 });
    const h = toFinetuneSpec(input).hyperparameters;
    expect(h?.pooling).toBe(finetune.Pooling.POOLING_CLS);
    expect(h?.layerLrDecay).toBe(0.8);
    expect(h?.minSteps).toBe(0);
    expect(toSpecInput({ dataset: 'spam', layerLrDecay: '1' }).layerLrDecay).toBe(1);
  });

  it.each([
    [{ pooling: 'max' }, '--pooling must be mean or cls, got "max"'],
    [{ minSteps: '-1' }, '--min-steps must be a non-negative integer, got "-1"'],
    [{ minSteps: '2.5' }, '--min-steps must be a non-negative integer, got "2.5"'],
    [{ layerLrDecay: 'fast' }, '--layer-lr-decay must be a finite number, got "fast"'],
    [{ layerLrDecay: '0' }, '--layer-lr-decay must be in (0, 1] (1: the same rate for every layer), got "0"'],
    [
      { layerLrDecay: '1.5' },
      '--layer-lr-decay must be in (0, 1] (1: the same rate for every layer), got "1.5"',
    ],
  ])('refuses %j', (options, message) => {
    expect(() => toSpecInput({ dataset: 'spam', ...options })).toThrow(message);
  });

  it('a trigger runs a fine-tune, or with --study a study of the checkpoint with the study options', () => {
    const ft = toTriggerInput('bert', { dataset: 'spam', on: 'final', minSteps: '0', pooling: 'mean' });
    expect(ft).toEqual({
      baseModel: 'bert',
      on: 'final',
      spec: { dataset: 'spam', fromScratch: false, minSteps: 0, pooling: 'mean' },
    });

    const input = toTriggerInput('bert', {
      dataset: 'spam:2',
      on: 'tag:good',
      study: true,
      budgets: '50,all',
      seeds: '3',
      headline: '50',
      lr: '5e-4',
      scratchLr: '0.001',
      minSteps: '0',
      pooling: 'cls',
      name: 'spam-study',
      description: 'does it help?',
      tag: ['t'],
    });
    expect(input).toEqual({
      baseModel: 'bert',
      on: 'tag',
      tag: 'good',
      study: {
        dataset: 'spam:2',
        budgets: [50, 0],
        seeds: 3,
        headlineBudget: 50,
        pretrained: { learningRate: 5e-4, minSteps: 0, pooling: 'cls' },
        scratch: { learningRate: 0.001, minSteps: 0, pooling: 'cls' },
        reportName: 'spam-study',
        description: 'does it help?',
        tags: ['t'],
      },
    });
    const trigger = toTrigger(input);
    expect(trigger.spec).toBeUndefined();
    expect(trigger.study?.baseModel).toBeUndefined();
    expect(trigger.study?.labelBudgets).toEqual([50, 0]);
    expect(trigger.study?.scratchHyperparameters?.pooling).toBe(finetune.Pooling.POOLING_CLS);
  });

  it.each([
    [{ budgets: '50' }, '--budgets is a study option: add --study'],
    [{ scratchLr: '0.001' }, '--scratch-lr is a study option: add --study'],
    [{ study: true, maxSteps: '10' }, '--max-steps does not apply to a study trigger (--study)'],
    [{ study: true, fromScratch: true }, '--from-scratch does not apply to a study trigger (--study)'],
    [{ study: true, layerLrDecay: '0.9' }, '--layer-lr-decay does not apply to a study trigger (--study)'],
    [{ study: true, seeds: '2.5' }, '--seeds must be a non-negative integer, got "2.5"'],
  ])('refuses the trigger %j', (options, message) => {
    expect(() => toTriggerInput('bert', { dataset: 'spam', ...options })).toThrow(message);
  });
});
