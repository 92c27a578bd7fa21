import { events, registry } from '@headstart/proto';

import { newVersionId } from './ids';

/** The events the registry emits, named as in the events library. */
export type OutboxEventType =
  'versionCreated' | 'checkpointRegistered' | 'aliasChanged' | 'versionTagsChanged';

/** An event waiting in the outbox: its type, its JetStream dedupe id and its encoded protobuf body. */
export interface OutboxMessage {
  eventType: OutboxEventType;
  /** Nats-Msg-Id: stable across relay retries, so JetStream drops the duplicates. */
  msgId: string;
  payload: Uint8Array;
}

/**
 * Events for a committed version: always VersionCreated (Nats-Msg-Id = the version id); for a base
 * model also CheckpointRegistered (`<id>:checkpoint`), `final` when metadata `final` is `"true"`.
 */
export function versionCommitEvents(version: registry.ModelVersion): OutboxMessage[] {
  const out: OutboxMessage[] = [
    {
      eventType: 'versionCreated',
      msgId: version.id,
      payload: events.VersionCreated.encode({ version }).finish(),
    },
  ];
  if (version.kind === registry.ModelKind.MODEL_KIND_BASE_MODEL) {
    out.push({
      eventType: 'checkpointRegistered',
      msgId: `${version.id}:checkpoint`,
      payload: events.CheckpointRegistered.encode({
        version,
        final: version.metadata['final'] === 'true',
      }).finish(),
    });
  }
  return out;
}

/** AliasChanged for one history row (Nats-Msg-Id `alias:<sequence>`). */
export function aliasChangedEvent(event: registry.AliasEvent, versionId: string): OutboxMessage {
  return {
    eventType: 'aliasChanged',
    msgId: `alias:${event.sequence}`,
    payload: events.AliasChanged.encode({ event, versionId }).finish(),
  };
}

/** VersionTagsChanged for one SetTags call that changed something (Nats-Msg-Id `tags:<version id>:<ulid>`). */
export function versionTagsChangedEvent(
  version: Pick<registry.ModelVersion, 'id' | 'modelName' | 'version'>,
  added: string[],
  removed: string[],
): OutboxMessage {
  return {
    eventType: 'versionTagsChanged',
    msgId: `tags:${version.id}:${newVersionId()}`,
    payload: events.VersionTagsChanged.encode({
      versionId: version.id,
      modelName: version.modelName,
      version: version.version,
      added,
      removed,
    }).finish(),
  };
}

export function isOutboxEventType(value: string): value is OutboxEventType {
  return (
    value === 'versionCreated' ||
    value === 'checkpointRegistered' ||
    value === 'aliasChanged' ||
    value === 'versionTagsChanged'
  );
}
