// Triggers that adapt a base instead of fine-tuning it: when a checkpoint of the base fires, the pretrain
// service starts a continued pre-training run from it (domain or task adaptation, issue 10). The run is
// started with an idempotency key made of the trigger and the version, so redelivered or duplicate events
// start one run, whatever restarts happen; the pretrain service keeps that key durably. The adapted
// model's own checkpoints then fire whatever triggers its users put on it (a study, fine-tunes).
import { Code, HeadstartError, isHeadstartError } from '@headstart/errors';
import type { PretrainClient } from '@headstart/pretrain-client';
import type { finetune, pretrain } from '@headstart/proto';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { MODEL_NAME_PATTERN, MODEL_NAME_RULE, type Problems } from '../spec/problems';
import { pinned } from '../spec/resolve-spec';

export const NO_PRETRAIN_ADDRESS =
  'this finetune service cannot start pre-training runs: give it the pretrain service address ' +
  '(HEADSTART_PRETRAIN_ADDR) to use adaptation triggers';

/** The key that makes one run per (trigger, version): the pretrain service answers a repeat with it. */
export function adaptationKey(triggerId: string, versionId: string): string {
  return `trigger/${triggerId}/${versionId}`;
}

/** Checks an adaptation trigger before it is stored; the pretrain service checks the rest at firing. */
export async function checkAdaptationTrigger(
  input: finetune.Trigger,
  condition: finetune.TriggerCondition,
  problems: Problems,
  deps: { client: RegistryClient; pretrain: PretrainClient | undefined },
  signal?: AbortSignal,
): Promise<finetune.Trigger> {
  const run = input.adaptation as pretrain.RunSpec;
  if (input.spec?.dataset?.name || input.study) {
    problems.add('trigger.adaptation', 'a trigger runs one of a fine-tune, a study or an adaptation');
  }
  if (run.modelName === '') problems.add('trigger.adaptation.model_name', 'is required (the adapted model)');
  else {
    problems.pattern('trigger.adaptation.model_name', run.modelName, MODEL_NAME_PATTERN, MODEL_NAME_RULE);
    if (run.modelName === input.baseModelName) {
      problems.add(
        'trigger.adaptation.model_name',
        'must differ from trigger.base_model_name (an adapted checkpoint would fire the trigger again)',
      );
    }
  }
  if (!run.shards?.name && run.mixture.length === 0) {
    problems.add('trigger.adaptation.shards', 'is required, or a mixture (the text to adapt to)');
  }
  if (run.continueFrom?.name) {
    problems.add('trigger.adaptation.continue_from', 'is set by the trigger: the version that fires it');
  }
  // An all-zero ModelConfig is the same as none (every field "take the default").
  if (run.model && Object.values(run.model).some((v) => v !== 0)) {
    problems.add('trigger.adaptation.model', "must be unset: an adapted model keeps its base's architecture");
  }
  problems.throwIfAny();
  if (!deps.pretrain) throw new HeadstartError(Code.FAILED_PRECONDITION, NO_PRETRAIN_ADDRESS);
  const options = signal ? { signal } : {};
  const sources = run.shards?.name
    ? [{ ref: run.shards, field: 'trigger.adaptation.shards' }]
    : run.mixture.map((m, i) => ({ ref: m.shards!, field: `trigger.adaptation.mixture[${i}].shards` }));
  for (const { ref, field } of sources) {
    const shards = await deps.client.getVersion(ref, options);
    if (shards.kind !== registry.ModelKind.MODEL_KIND_DATASET) {
      throw new HeadstartError(
        Code.FAILED_PRECONDITION,
        `${field} ${shards.modelName}:${shards.version} is not a token-shards DATASET`,
        { details: { field } },
      );
    }
  }
  await checkAdaptedModel(deps.client, run.modelName, options);
  return { ...input, condition, spec: undefined, study: undefined, adaptation: run };
}

/** The adapted model may exist already (a trigger set up again), but then as a BASE_MODEL. */
async function checkAdaptedModel(
  client: RegistryClient,
  name: string,
  options: { signal?: AbortSignal },
): Promise<void> {
  try {
    const model = await client.getModel(name, options);
    if (model.kind !== registry.ModelKind.MODEL_KIND_BASE_MODEL) {
      throw new HeadstartError(
        Code.FAILED_PRECONDITION,
        `trigger.adaptation.model_name ${JSON.stringify(name)} is a registered model that is not a BASE_MODEL`,
        { details: { field: 'trigger.adaptation.model_name' } },
      );
    }
  } catch (err) {
    if (!isHeadstartError(err, Code.NOT_FOUND)) throw err;
  }
}

/** The run an adaptation trigger starts for `base`: the trigger's run, continued from that version. */
export function adaptationRun(trigger: finetune.Trigger, base: registry.ModelVersion): pretrain.RunSpec {
  const run = trigger.adaptation as pretrain.RunSpec;
  return {
    ...run,
    continueFrom: pinned(base.modelName, base.version),
    description:
      run.description ||
      `${run.modelName}: ${base.modelName}:${base.version} adapted by trigger ${trigger.id}`,
  };
}

/** Starts (or finds, on a repeat) the run; the run's id, or the error when it can never start. */
export async function startAdaptation(
  pretrainClient: PretrainClient,
  trigger: finetune.Trigger,
  base: registry.ModelVersion,
  signal: AbortSignal,
): Promise<pretrain.Run> {
  return pretrainClient.startRun(adaptationRun(trigger, base), {
    idempotencyKey: adaptationKey(trigger.id, base.id),
    signal,
  });
}
