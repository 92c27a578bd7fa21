// Which triggers an event fires. Pure functions over the decoded events and stored triggers.
import type { DecodedEvent } from '@headstart/events';
import { finetune, registry } from '@headstart/proto';

const { TriggerCondition } = finetune;

export type TriggerEvent = DecodedEvent<'checkpointRegistered' | 'aliasChanged' | 'versionTagsChanged'>;

/** What an event says about one version of a model. */
export interface Candidate {
  modelName: string;
  versionId: string;
  version: number;
  /** The whole version, when the event carries it (CheckpointRegistered). */
  full: registry.ModelVersion | undefined;
  /** A new checkpoint (CheckpointRegistered), and whether it is a run's final one. */
  checkpoint: boolean;
  final: boolean;
  /** Aliases and tags the version has gained (at commit, or by this change). */
  aliases: string[];
  tags: string[];
}

export function candidateOf(event: TriggerEvent): Candidate | undefined {
  switch (event.type) {
    case 'checkpointRegistered': {
      const v = event.message.version;
      if (!v) return undefined;
      return {
        modelName: v.modelName,
        versionId: v.id,
        version: v.version,
        full: v,
        checkpoint: true,
        final: event.message.final,
        aliases: v.aliases,
        tags: v.tags,
      };
    }
    case 'aliasChanged': {
      const e = event.message.event;
      if (!e || e.action !== registry.AliasAction.ALIAS_ACTION_SET || event.message.versionId === '') {
        return undefined;
      }
      return {
        modelName: e.modelName,
        versionId: event.message.versionId,
        version: e.toVersion,
        full: undefined,
        checkpoint: false,
        final: false,
        aliases: [e.alias],
        tags: [],
      };
    }
    case 'versionTagsChanged': {
      const m = event.message;
      if (m.added.length === 0) return undefined;
      return {
        modelName: m.modelName,
        versionId: m.versionId,
        version: m.version,
        full: undefined,
        checkpoint: false,
        final: false,
        aliases: [],
        tags: m.added,
      };
    }
    default:
      return undefined;
  }
}

export function matches(trigger: finetune.Trigger, candidate: Candidate): boolean {
  if (trigger.baseModelName !== candidate.modelName) return false;
  switch (trigger.condition) {
    case TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT:
      return candidate.checkpoint && candidate.final;
    case TriggerCondition.TRIGGER_CONDITION_ALIAS:
      return candidate.aliases.includes(trigger.alias);
    case TriggerCondition.TRIGGER_CONDITION_TAG:
      return candidate.tags.includes(trigger.tag);
    default:
      return candidate.checkpoint;
  }
}
