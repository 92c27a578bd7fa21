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
});
