import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import { registry, type common } from '@headstart/proto';
import { collectArtifact, saveArtifactToFile, writeArtifactToStream } from './artifact-sink';
import {
  cancelledError,
  deadlineFrom,
  connect,
  isAborted,
  onAbort,
  toClientError,
  type CallSettings,
} from './call';
import {
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_BUFFER_BYTES,
  DEFAULT_STREAM_DEADLINE_MS,
  type LineageDirectionInput,
  type ListSettings,
  type RegistryClient,
  type RegistryClientOptions,
} from './client-types';
import { guardCall } from './download-call';
import { toListModelsRequest, toVersionFilter, type PageRequest } from './filters';
import { allPages, collect } from './paging';
import { createVersion } from './upload';
import { formatVersionRef, toVersionRef, type VersionRefInput } from './version-ref';

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
  const { grpcClient, address, context, unary, waitForReady } = connect(
    registry.RegistryServiceClient,
    options,
    {
      deadlineMs: DEFAULT_DEADLINE_MS,
      streamDeadlineMs: DEFAULT_STREAM_DEADLINE_MS,
    },
  );

  async function download<T>(
    ref: VersionRefInput,
    settings: CallSettings | undefined,
    consume: (messages: AsyncIterable<registry.DownloadArtifactResponse>, label: string) => Promise<T>,
  ): Promise<T> {
    const versionRef = toVersionRef(ref);
    const ctx = context('DownloadArtifact', settings, true);
    if (isAborted(settings?.signal)) throw cancelledError(ctx);
    // Guarded from the first moment: the call may fail before `consume` starts reading it (it may
    // open a file first) and is cancelled below after `consume` stopped reading it.
    const call = guardCall(
      grpcClient.downloadArtifact({ ref: versionRef }, new grpc.Metadata(), {
        deadline: deadlineFrom(ctx.deadlineMs),
      }),
    );
    const stopListening = onAbort(settings?.signal, () => call.cancel());
    try {
      return await consume(call.messages, formatVersionRef(versionRef));
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

    waitForReady,

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
      return createVersion(
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
