import { common, finetune } from '@headstart/proto';
import { formatTriggerCondition, parseJobState, toFinetuneSpec, toTrigger } from './inputs';

describe('finetune client inputs', () => {
  it('maps friendly spec fields to the wire message, leaving unset optionals unset', () => {
    const spec = toFinetuneSpec({
      base: 'bert@final',
      dataset: 'spam:2',
      epochs: 3,
      metric: 'macro_f1',
      labelBudget: 50,
      tags: ['x'],
    });
    expect(spec.baseModel).toEqual({ name: 'bert', selector: { $case: 'alias', alias: 'final' } });
    expect(spec.dataset).toEqual({ name: 'spam', selector: { $case: 'version', version: 2 } });
    expect(spec.hyperparameters?.epochs).toBe(3);
    expect(spec.hyperparameters?.learningRate).toBeUndefined();
    expect(spec.hyperparameters?.earlyStoppingMetric).toBe(
      finetune.EarlyStoppingMetric.EARLY_STOPPING_METRIC_MACRO_F1,
    );
    expect(spec.data?.labelBudget).toBe(50);
    expect(spec.tags).toEqual(['x']);
    expect(spec.hyperparameters?.pooling).toBe(finetune.Pooling.POOLING_UNSPECIFIED);
    expect(spec.hyperparameters?.layerLrDecay).toBeUndefined();
    expect(spec.hyperparameters?.minSteps).toBeUndefined();
  });

  it('maps pooling by name, layer-wise lr decay and min steps (0 is sent, not dropped)', () => {
    const h = toFinetuneSpec({
      dataset: 'spam',
      pooling: 'cls',
      layerLrDecay: 0.8,
      minSteps: 0,
    }).hyperparameters;
    expect(h?.pooling).toBe(finetune.Pooling.POOLING_CLS);
    expect(h?.layerLrDecay).toBe(0.8);
    expect(h?.minSteps).toBe(0);
    const wire = finetune.FinetuneHyperparameters.decode(
      finetune.FinetuneHyperparameters.encode(h!).finish(),
    );
    expect(wire.minSteps).toBe(0);
    expect(toFinetuneSpec({ dataset: 'spam', pooling: 'mean' }).hyperparameters?.pooling).toBe(
      finetune.Pooling.POOLING_MEAN,
    );
    expect(() => toFinetuneSpec({ dataset: 'spam', pooling: 'max' as 'mean' })).toThrow(
      'pooling must be one of mean, cls, got "max"',
    );
  });

  it('trigger conditions and job states by name; unknown names are INVALID_ARGUMENT', () => {
    const trigger = toTrigger({ baseModel: 'bert', on: 'tag', tag: 'good', spec: { dataset: 'spam' } });
    expect(trigger.condition).toBe(finetune.TriggerCondition.TRIGGER_CONDITION_TAG);
    expect(formatTriggerCondition(trigger)).toBe('tag:good');
    expect(parseJobState('Running')).toBe(common.JobState.JOB_STATE_RUNNING);
    expect(() => parseJobState('done')).toThrow(
      'state must be one of queued, running, succeeded, failed, cancelled, got "done"',
    );
  });

  it('a study trigger carries the study without a base and no fine-tune spec; not both', () => {
    const trigger = toTrigger({
      baseModel: 'bert',
      on: 'final',
      study: { dataset: 'spam:2', budgets: [50, 0], seeds: 3, pretrained: { minSteps: 0, pooling: 'cls' } },
    });
    expect(trigger.spec).toBeUndefined();
    expect(trigger.study?.baseModel).toBeUndefined();
    expect(trigger.study?.dataset).toEqual({ name: 'spam', selector: { $case: 'version', version: 2 } });
    expect(trigger.study?.labelBudgets).toEqual([50, 0]);
    expect(trigger.study?.seeds).toBe(3);
    expect(trigger.study?.pretrainedHyperparameters?.pooling).toBe(finetune.Pooling.POOLING_CLS);
    expect(trigger.study?.scratchHyperparameters?.minSteps).toBeUndefined();
    const both = { baseModel: 'bert', spec: { dataset: 'spam' }, study: { dataset: 'spam' } };
    expect(() => toTrigger(both as unknown as Parameters<typeof toTrigger>[0])).toThrow(
      'a trigger runs either a fine-tune (spec) or a study (study), not both',
    );
    expect(toTrigger({ baseModel: 'bert', spec: { dataset: 'spam' } }).study).toBeUndefined();
  });
});
