import { finetune, registry } from '@headstart/proto';
import { candidateOf, matches, type TriggerEvent } from './match';

const { TriggerCondition } = finetune;

const version = (overrides: Partial<registry.ModelVersion> = {}) =>
  registry.ModelVersion.fromPartial({
    id: 'v1',
    modelName: 'bert',
    version: 3,
    kind: registry.ModelKind.MODEL_KIND_BASE_MODEL,
    ...overrides,
  });
const checkpoint = (final: boolean, overrides: Partial<registry.ModelVersion> = {}): TriggerEvent => ({
  type: 'checkpointRegistered',
  message: { version: version(overrides), final },
});
const trigger = (condition: finetune.TriggerCondition, extra: Partial<finetune.Trigger> = {}) =>
  finetune.Trigger.fromPartial({ id: 't', baseModelName: 'bert', condition, ...extra });
const fires = (t: finetune.Trigger, e: TriggerEvent) => {
  const c = candidateOf(e);
  return c !== undefined && matches(t, c);
};

describe('trigger matching', () => {
  const aliasSet: TriggerEvent = {
    type: 'aliasChanged',
    message: {
      versionId: 'v1',
      event: registry.AliasEvent.fromPartial({
        modelName: 'bert',
        alias: 'prod',
        action: registry.AliasAction.ALIAS_ACTION_SET,
        toVersion: 3,
      }),
    },
  };
  const aliasDeleted: TriggerEvent = {
    type: 'aliasChanged',
    message: {
      versionId: '',
      event: registry.AliasEvent.fromPartial({
        modelName: 'bert',
        alias: 'prod',
        action: registry.AliasAction.ALIAS_ACTION_DELETE,
      }),
    },
  };
  const tagged: TriggerEvent = {
    type: 'versionTagsChanged',
    message: { versionId: 'v1', modelName: 'bert', version: 3, added: ['good'], removed: [] },
  };

  it('every checkpoint: any CheckpointRegistered of the model, nothing else', () => {
    const t = trigger(TriggerCondition.TRIGGER_CONDITION_EVERY_CHECKPOINT);
    expect(fires(t, checkpoint(false))).toBe(true);
    expect(fires(t, checkpoint(false, { modelName: 'other' }))).toBe(false);
    expect(fires(t, aliasSet)).toBe(false);
    expect(fires(trigger(TriggerCondition.TRIGGER_CONDITION_UNSPECIFIED), checkpoint(true))).toBe(true);
  });

  it('final only', () => {
    const t = trigger(TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT);
    expect(fires(t, checkpoint(false))).toBe(false);
    expect(fires(t, checkpoint(true))).toBe(true);
  });

  it('gets alias A: an alias set (or set at commit), not a delete or another alias', () => {
    const t = trigger(TriggerCondition.TRIGGER_CONDITION_ALIAS, { alias: 'prod' });
    expect(fires(t, aliasSet)).toBe(true);
    expect(fires(t, aliasDeleted)).toBe(false);
    expect(fires(t, checkpoint(false, { aliases: ['prod'] }))).toBe(true);
    expect(fires(trigger(TriggerCondition.TRIGGER_CONDITION_ALIAS, { alias: 'staging' }), aliasSet)).toBe(
      false,
    );
    expect(candidateOf(aliasSet)).toMatchObject({ versionId: 'v1', version: 3 });
  });

  it('gets tag T: added later or at commit, not removed', () => {
    const t = trigger(TriggerCondition.TRIGGER_CONDITION_TAG, { tag: 'good' });
    expect(fires(t, tagged)).toBe(true);
    expect(fires(t, checkpoint(false, { tags: ['good'] }))).toBe(true);
    expect(
      fires(t, {
        type: 'versionTagsChanged',
        message: { versionId: 'v1', modelName: 'bert', version: 3, added: [], removed: ['good'] },
      }),
    ).toBe(false);
  });
});
