export { createRegistryClient } from './client';
export { DEFAULT_DEADLINE_MS, DEFAULT_MAX_BUFFER_BYTES, DEFAULT_STREAM_DEADLINE_MS } from './client-types';
export type {
  BufferDownloadOptions,
  DeleteAliasInput,
  DownloadOptions,
  LineageDirectionInput,
  LineageOptions,
  ListSettings,
  RegistryClient,
  RegistryClientOptions,
  SetAliasInput,
  TagTarget,
} from './client-types';
export type { CallSettings } from './call';
export { formatVersionRef, parseVersionRef, toVersionRef, versionRef } from './version-ref';
export type { VersionRefInput } from './version-ref';
export { formatModelKind, MODEL_KIND_NAMES, parseModelKind } from './model-kind';
export type { ModelKindInput } from './model-kind';
export type { ModelFilter, PageRequest, VersionFilterInput } from './filters';
export { ArtifactVerifier } from './artifact-verifier';
export type { ExpectedArtifact } from './artifact-verifier';
export { receiveArtifact, saveArtifactToFile, writeArtifactToStream } from './artifact-sink';
export type { ProgressListener, TransferProgress } from './artifact-sink';
export { DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES } from './upload';
export type { ParentInput, UploadMetadata, UploadOptions, UploadResult } from './upload';
export { hashFile } from './upload-source';
export type { UploadSource } from './upload-source';
