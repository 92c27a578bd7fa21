import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import { registry, type common } from '@headstart/proto';
import type { Writable } from 'node:stream';
import {
  collectArtifact,
  saveArtifactToFile,
  writeArtifactToStream,
  type ProgressListener,
} from './artifact-sink';
import {
  callUnary,
  cancelledError,
  isAborted,
  deadlineFrom,
  onAbort,
  toClientError,
  type CallContext,
  type CallSettings,
} from './call';
import {
  toListModelsRequest,
  toVersionFilter,
  type ModelFilter,
  type PageRequest,
  type VersionFilterInput,
} from './filters';
import { allPages, collect } from './paging';
import { uploadVersion, type UploadMetadata, type UploadOptions, type UploadResult } from './upload';
import type { UploadSource } from './upload-source';
import { formatVersionRef, toVersionRef, type VersionRefInput } from './version-ref';

export interface RegistryClientOptions {
  /** host:port of the registry. */
  address: string;
  /** Deadline of unary calls. @default 30_000 */
  deadlineMs?: number;
  /** Deadline of uploads and downloads (whole transfer). @default 3_600_000 (one hour) */
  streamDeadlineMs?: number;
  /** @default grpc.credentials.createInsecure() */
  credentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
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
  /** CreateVersion: uploads and commits, telling whether an idempotent retry found it committed. */
  createVersion(
    metadata: UploadMetadata,
    source: UploadSource,
    options?: UploadOptions,
  ): Promise<UploadResult>;
  /** Uploads an artifact and commits a new version; returns it. */
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

const DIRECTIONS: Record<LineageDirectionInput, registry.LineageDirection> = {
  both: registry.LineageDirection.LINEAGE_DIRECTION_BOTH,
  ancestors: registry.LineageDirection.LINEAGE_DIRECTION_ANCESTORS,
  descendants: registry.LineageDirection.LINEAGE_DIRECTION_DESCENDANTS,
};

function requireNumbered(ref: common.VersionRef): number {
  if (ref.selector?.$case !== 'version') {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `deleting needs an explicit version number, NAME:VERSION, not "${formatVersionRef(ref)}"`,
      { details: { field: 'ref' } },
    );
  }
  return ref.selector.version;
}

function pageOf(pageToken: string, settings: ListSettings | undefined): PageRequest {
  return settings?.pageSize === undefined ? { pageToken } : { pageToken, pageSize: settings.pageSize };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new HeadstartError(Code.INTERNAL, `registry answered without ${what}`);
  return value;
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const address = options.address;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const streamDeadlineMs = options.streamDeadlineMs ?? DEFAULT_STREAM_DEADLINE_MS;
  const grpcClient = new registry.RegistryServiceClient(
    address,
    options.credentials ?? grpc.credentials.createInsecure(),
    options.channelOptions ?? {},
  );
  const context = (method: string, settings?: CallSettings, stream = false): CallContext => ({
    address,
    method,
    deadlineMs: settings?.deadlineMs ?? (stream ? streamDeadlineMs : deadlineMs),
  });
  const unary = <Req, Res>(
    method: string,
    invoke: Parameters<typeof callUnary<Req, Res>>[0],
    request: Req,
    settings?: CallSettings,
  ): Promise<Res> => callUnary(invoke.bind(grpcClient), request, context(method, settings), settings?.signal);

  async function download<T>(
    ref: VersionRefInput,
    settings: CallSettings | undefined,
    consume: (messages: AsyncIterable<registry.DownloadArtifactResponse>, label: string) => Promise<T>,
  ): Promise<T> {
    const versionRef = toVersionRef(ref);
    const ctx = context('DownloadArtifact', settings, true);
    if (isAborted(settings?.signal)) throw cancelledError(ctx);
    const call = grpcClient.downloadArtifact({ ref: versionRef }, new grpc.Metadata(), {
      deadline: deadlineFrom(ctx.deadlineMs),
    });
    const stopListening = onAbort(settings?.signal, () => call.cancel());
    try {
      return await consume(call, formatVersionRef(versionRef));
    } catch (err) {
      if (isAborted(settings?.signal)) throw cancelledError(ctx);
      throw toClientError(err, ctx);
    } finally {
      stopListening();
      call.cancel();
    }
  }

  const client: RegistryClient = {
    address,

    waitForReady(timeoutMs = deadlineMs) {
      return new Promise<void>((resolve, reject) => {
        grpcClient.waitForReady(deadlineFrom(timeoutMs), (err) => {
          if (err === undefined || err === null) resolve();
          else {
            reject(
              new HeadstartError(
                Code.UNAVAILABLE,
                `the registry at ${address} did not become reachable within ${timeoutMs} ms: check that it is ` +
                  'running and that the address is right',
                { cause: err },
              ),
            );
          }
        });
      });
    },

    async getVersion(ref, settings) {
      const response = await unary('GetVersion', grpcClient.getVersion, { ref: toVersionRef(ref) }, settings);
      return required(response.version, 'a version');
    },

    async getModel(name, settings) {
      const response = await unary('GetModel', grpcClient.getModel, { name }, settings);
      return required(response.model, 'a model');
    },

    listModels(filter = {}, settings) {
      return allPages(async (pageToken) => {
        const page = await client.listModelsPage(filter, pageOf(pageToken, settings), settings);
        return { items: page.models, nextPageToken: page.nextPageToken };
      });
    },

    listModelsPage(filter = {}, page = {}, settings) {
      return unary('ListModels', grpcClient.listModels, toListModelsRequest(filter, page), settings);
    },

    searchVersions(filter = {}, settings) {
      return allPages(async (pageToken) => {
        const page = await client.searchVersionsPage(filter, pageOf(pageToken, settings), settings);
        return { items: page.versions, nextPageToken: page.nextPageToken };
      });
    },

    searchVersionsPage(filter = {}, page = {}, settings) {
      const request = {
        filter: toVersionFilter(filter),
        pageSize: page.pageSize ?? 0,
        pageToken: page.pageToken ?? '',
      };
      return unary('SearchVersions', grpcClient.searchVersions, request, settings);
    },

    async setAlias(input, settings) {
      const request: registry.SetAliasRequest = {
        modelName: input.modelName,
        alias: input.alias,
        version: input.version,
        ...(input.protected === undefined ? {} : { protected: input.protected }),
        overrideProtection: input.overrideProtection ?? false,
        actor: input.actor ?? options.actor ?? '',
        reason: input.reason ?? '',
      };
      const response = await unary('SetAlias', grpcClient.setAlias, request, settings);
      return required(response.alias, 'an alias');
    },

    async deleteAlias(input, settings) {
      const request: registry.DeleteAliasRequest = {
        modelName: input.modelName,
        alias: input.alias,
        overrideProtection: input.overrideProtection ?? false,
        actor: input.actor ?? options.actor ?? '',
        reason: input.reason ?? '',
      };
      await unary('DeleteAlias', grpcClient.deleteAlias, request, settings);
    },

    getAliasHistory(modelName, alias, settings) {
      return collect(
        allPages(async (pageToken) => {
          const page = await client.getAliasHistoryPage(
            modelName,
            alias,
            pageOf(pageToken, settings),
            settings,
          );
          return { items: page.events, nextPageToken: page.nextPageToken };
        }),
      );
    },

    getAliasHistoryPage(modelName, alias = '', page = {}, settings) {
      const request = { modelName, alias, pageSize: page.pageSize ?? 0, pageToken: page.pageToken ?? '' };
      return unary('GetAliasHistory', grpcClient.getAliasHistory, request, settings);
    },

    async setTags(target, changes, settings) {
      const request: registry.SetTagsRequest = {
        target:
          'model' in target
            ? { $case: 'modelName', modelName: target.model }
            : { $case: 'version', version: toVersionRef(target.version) },
        add: [...(changes.add ?? [])],
        remove: [...(changes.remove ?? [])],
      };
      const response = await unary('SetTags', grpcClient.setTags, request, settings);
      return response.tags;
    },

    getLineage(ref, lineageOptions = {}) {
      const request: registry.GetLineageRequest = {
        ref: toVersionRef(ref),
        direction: DIRECTIONS[lineageOptions.direction ?? 'both'],
        maxDepth: lineageOptions.maxDepth ?? 0,
      };
      return unary('GetLineage', grpcClient.getLineage, request, lineageOptions);
    },

    async deleteVersion(ref, settings) {
      const versionRef = toVersionRef(ref);
      const version = requireNumbered(versionRef);
      await unary(
        'DeleteVersion',
        grpcClient.deleteVersion,
        { modelName: versionRef.name, version },
        settings,
      );
    },

    createVersion(metadata, source, uploadOptions = {}) {
      return uploadVersion(
        grpcClient,
        context('CreateVersion', uploadOptions, true),
        metadata,
        source,
        uploadOptions,
      );
    },

    async uploadVersion(metadata, source, uploadOptions) {
      return (await client.createVersion(metadata, source, uploadOptions)).version;
    },

    downloadArtifact(ref, destination, downloadOptions = {}) {
      return download(ref, downloadOptions, (messages, label) =>
        typeof destination === 'string'
          ? saveArtifactToFile(messages, destination, label, downloadOptions.onProgress)
          : writeArtifactToStream(messages, destination, label, {
              end: downloadOptions.end ?? true,
              ...(downloadOptions.onProgress === undefined ? {} : { onProgress: downloadOptions.onProgress }),
            }),
      );
    },

    async downloadToBuffer(ref, bufferOptions = {}) {
      const maxBytes = bufferOptions.maxBytes ?? DEFAULT_MAX_BUFFER_BYTES;
      const { data } = await download(ref, bufferOptions, (messages, label) =>
        collectArtifact(messages, label, maxBytes),
      );
      return data;
    },

    close() {
      grpcClient.close();
    },
  };
  return client;
}
