// Public surface of @headstart/registry: start the service in-process, or use its stores directly.
export {
  createRegistryService,
  DEFAULT_DOWNLOAD_CHUNK_BYTES,
  DEFAULT_MAX_ARTIFACT_BYTES,
  DEFAULT_REGISTRY_PORT,
} from './create-registry-service';
export type { RegistryServiceHandle, RegistryServiceOptions } from './create-registry-service';
export { registryConfigSpec } from './config';
export type { RegistryConfig } from './config';
export { Registry } from './core/registry';
export type { Artifact, RegistryOptions } from './core/registry';
export type { GarbageReport } from './core/garbage-collection';
export { createOutboxRelay } from './outbox/outbox-relay';
export type { OutboxPublisher, OutboxRelay, OutboxRelayOptions } from './outbox/outbox-relay';
export type { BlobInfo, BlobStore, BlobWriter, ReadBlobOptions } from './storage/blob-store';
export { FsBlobStore } from './storage/fs-blob-store';
export type { FsBlobStoreOptions } from './storage/fs-blob-store';
export type {
  AliasHistoryQuery,
  CommitVersionInput,
  CommitVersionResult,
  DeleteAliasInput,
  Lineage,
  LineageDirection,
  LineageQuery,
  ListModelsQuery,
  MetadataStore,
  OutboxRecord,
  OutboxStore,
  SetAliasInput,
  TagChange,
  VersionQuery,
} from './storage/metadata-store';
export { SqliteMetadataStore } from './storage/sqlite/sqlite-metadata-store';
export type { SqliteMetadataStoreOptions } from './storage/sqlite/sqlite-metadata-store';
export { MIGRATIONS } from './storage/sqlite/migrations';
export { newVersionId, isVersionId } from './domain/ids';
export { describeLocator, toLocator } from './domain/locator';
export type { VersionLocator } from './domain/locator';
export { ALIAS_NAME_PATTERN, MODEL_NAME_PATTERN, RELATION_PATTERN, TAG_PATTERN } from './domain/names';
export { toVersionDraft } from './domain/version-draft';
export type { ParentDraft, VersionDraft } from './domain/version-draft';
export type { OutboxEventType, OutboxMessage } from './domain/outbox-events';
