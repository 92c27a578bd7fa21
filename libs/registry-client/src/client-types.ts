import type { ClientConnectionOptions } from '@headstart/client-kit';
import type { registry } from '@headstart/proto';
import type { Writable } from 'node:stream';
import type { ProgressListener } from './artifact-sink';
import type { CallSettings } from './call';
import type { ModelFilter, PageRequest, VersionFilterInput } from './filters';
import type { UploadMetadata, UploadOptions, UploadResult } from './upload';
import type { UploadSource } from './upload-source';
import type { VersionRefInput } from './version-ref';

/** How to reach the registry: unary calls get 30 s by default, uploads and downloads one hour each. */
export interface RegistryClientOptions extends ClientConnectionOptions {
  /** Recorded as the actor of alias moves that do not name one. @default '' */
  actor?: string;
}

export const DEFAULT_DEADLINE_MS = 30_000;
export const DEFAULT_STREAM_DEADLINE_MS = 3_600_000;
/** Largest artifact `downloadToBuffer` accepts unless told otherwise. */
export const DEFAULT_MAX_BUFFER_BYTES = 64 << 20;

export interface SetAliasInput {
  modelName: string;
  alias: string;
  version: number;
  /** Sets or clears protection; left as is when undefined. */
  protected?: boolean;
  /** Needed to move, unprotect or delete a protected alias. */
  overrideProtection?: boolean;
  actor?: string;
  reason?: string;
}

export interface DeleteAliasInput {
  modelName: string;
  alias: string;
  overrideProtection?: boolean;
  actor?: string;
  reason?: string;
}

/** A model (its tags) or one version (its tags). */
export type TagTarget = { model: string } | { version: VersionRefInput };

export type LineageDirectionInput = 'both' | 'ancestors' | 'descendants';

export interface LineageOptions extends CallSettings {
  /** @default 'both' */
  direction?: LineageDirectionInput;
  /** 0 or undefined: unlimited. */
  maxDepth?: number;
}

export interface DownloadOptions extends CallSettings {
  onProgress?: ProgressListener;
  /** For a Writable destination: end it after the last byte. @default true */
  end?: boolean;
}

export interface BufferDownloadOptions extends CallSettings {
  /** @default 64 MiB */
  maxBytes?: number;
}

/** Settings of the methods that walk every page. */
export interface ListSettings extends CallSettings {
  /** Items per request; the registry caps it at 1000. @default the registry's (100) */
  pageSize?: number;
}

/** A promise-based, typed registry client. Every call has a deadline; every error is a HeadstartError. */
export interface RegistryClient {
  readonly address: string;
  /** Resolves once the channel is connected; UNAVAILABLE after `timeoutMs`. */
  waitForReady(timeoutMs?: number): Promise<void>;
  getVersion(ref: VersionRefInput, settings?: CallSettings): Promise<registry.ModelVersion>;
  getModel(name: string, settings?: CallSettings): Promise<registry.Model>;
  /** Every model matching the filter, across all pages. */
  listModels(filter?: ModelFilter, settings?: ListSettings): AsyncIterable<registry.Model>;
  listModelsPage(
    filter?: ModelFilter,
    page?: PageRequest,
    settings?: CallSettings,
  ): Promise<registry.ListModelsResponse>;
  /** Every version matching the filter, across all pages. */
  searchVersions(filter?: VersionFilterInput, settings?: ListSettings): AsyncIterable<registry.ModelVersion>;
  searchVersionsPage(
    filter?: VersionFilterInput,
    page?: PageRequest,
    settings?: CallSettings,
  ): Promise<registry.SearchVersionsResponse>;
  setAlias(input: SetAliasInput, settings?: CallSettings): Promise<registry.Alias>;
  deleteAlias(input: DeleteAliasInput, settings?: CallSettings): Promise<void>;
  /** Every move of one alias (or of all aliases of the model), newest first, across all pages. */
  getAliasHistory(modelName: string, alias?: string, settings?: ListSettings): Promise<registry.AliasEvent[]>;
  getAliasHistoryPage(
    modelName: string,
    alias?: string,
    page?: PageRequest,
    settings?: CallSettings,
  ): Promise<registry.GetAliasHistoryResponse>;
  /** Adds then removes tags; returns the target's tags afterwards. */
  setTags(
    target: TagTarget,
    changes: { add?: string[]; remove?: string[] },
    settings?: CallSettings,
  ): Promise<string[]>;
  getLineage(ref: VersionRefInput, options?: LineageOptions): Promise<registry.GetLineageResponse>;
  /** Deletes one numbered version (`NAME:VERSION`); aliases and `latest` are refused to avoid surprises. */
  deleteVersion(ref: VersionRefInput, settings?: CallSettings): Promise<void>;
  /**
   * CreateVersion: uploads an artifact and commits a new version, telling whether an idempotent retry
   * found it committed.
   */
  createVersion(
    metadata: UploadMetadata,
    source: UploadSource,
    options?: UploadOptions,
  ): Promise<UploadResult>;
  /**
   * `createVersion(...)` returning only the version.
   * @deprecated One name per RPC: use `(await createVersion(...)).version`. Kept while the ingest
   * service's tests still call it; remove with their last call.
   */
  uploadVersion(
    metadata: UploadMetadata,
    source: UploadSource,
    options?: UploadOptions,
  ): Promise<registry.ModelVersion>;
  /** Streams an artifact to a file (atomically, verified) or a Writable (verified at the end). */
  downloadArtifact(
    ref: VersionRefInput,
    destination: string | Writable,
    options?: DownloadOptions,
  ): Promise<registry.ArtifactInfo>;
  /** A small artifact in memory, verified. */
  downloadToBuffer(ref: VersionRefInput, options?: BufferDownloadOptions): Promise<Buffer>;
  close(): void;
}
