import type { handleUnaryCall } from '@grpc/grpc-js';

import type { registry } from '@headstart/proto';
import { unary } from '@headstart/service-kit';

import { effectivePageSize } from '../domain/limits';
import { toLocator } from '../domain/locator';
import { validateModelName, validateRelation } from '../domain/names';
import { decodePageToken, encodePageToken } from '../domain/page-token';
import { validateText } from '../domain/version-draft';
import { MAX_ID_CHARS } from '../domain/limits';
import type { MetadataStore, VersionQuery } from '../storage/metadata-store';
import { kindFilter, namePrefix, optionalAlias, optionalTag } from './requests';

/**
 * Fetches one row more than the page holds: if it exists there is a next page, and the token
 * points after the last row returned (keyset pagination, stable under concurrent inserts).
 */
function page<T>(
  rows: T[],
  size: number,
  scope: string,
  filter: unknown,
  keyOf: (row: T) => (string | number)[],
) {
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  const nextPageToken =
    rows.length > size && last !== undefined ? encodePageToken(scope, filter, keyOf(last)) : '';
  return { items, nextPageToken };
}

export function listModelsHandler(
  metadata: MetadataStore,
): handleUnaryCall<registry.ListModelsRequest, registry.ListModelsResponse> {
  return unary<registry.ListModelsRequest, registry.ListModelsResponse>(async (request) => {
    const filter = {
      kind: kindFilter(request.kind),
      namePrefix: namePrefix(request.namePrefix),
      tag: optionalTag(request.tag, 'tag'),
    };
    const size = effectivePageSize(request.pageSize);
    const after = decodePageToken(request.pageToken, 'models', filter, ['string']);
    const rows = await metadata.listModels({
      ...filter,
      afterName: after?.[0] as string | undefined,
      limit: size + 1,
    });
    const { items, nextPageToken } = page(rows, size, 'models', filter, (m) => [m.name]);
    return { models: items, nextPageToken };
  });
}

async function versionQuery(metadata: MetadataStore, filter: registry.VersionFilter | undefined) {
  const f = filter ?? ({} as Partial<registry.VersionFilter>);
  const parent = f.parent ? await metadata.resolveVersion(toLocator(f.parent, 'filter.parent')) : undefined;
  const query: Omit<VersionQuery, 'limit' | 'after'> = {
    modelName: f.modelName ? validateModelName(f.modelName, 'filter.model_name') : undefined,
    kind: kindFilter(f.kind ?? 0, 'filter.kind'),
    namePrefix: namePrefix(f.namePrefix ?? '', 'filter.name_prefix'),
    tag: optionalTag(f.tag ?? '', 'filter.tag'),
    alias: optionalAlias(f.alias ?? '', 'filter.alias'),
    parentId: parent?.id,
    relation: f.relation ? validateRelation(f.relation, 'filter.relation') : undefined,
    runId: f.runId ? validateText(f.runId, 'filter.run_id', MAX_ID_CHARS) : undefined,
  };
  return query;
}

export function searchVersionsHandler(
  metadata: MetadataStore,
): handleUnaryCall<registry.SearchVersionsRequest, registry.SearchVersionsResponse> {
  return unary<registry.SearchVersionsRequest, registry.SearchVersionsResponse>(async (request) => {
    const query = await versionQuery(metadata, request.filter);
    const size = effectivePageSize(request.pageSize);
    const after = decodePageToken(request.pageToken, 'versions', query, ['string', 'number']);
    const rows = await metadata.searchVersions({
      ...query,
      after: after ? { modelName: after[0] as string, version: after[1] as number } : undefined,
      limit: size + 1,
    });
    const { items, nextPageToken } = page(rows, size, 'versions', query, (v) => [v.modelName, v.version]);
    return { versions: items, nextPageToken };
  });
}

export function getAliasHistoryHandler(
  metadata: MetadataStore,
): handleUnaryCall<registry.GetAliasHistoryRequest, registry.GetAliasHistoryResponse> {
  return unary<registry.GetAliasHistoryRequest, registry.GetAliasHistoryResponse>(async (request) => {
    const filter = {
      modelName: validateModelName(request.modelName),
      alias: optionalAlias(request.alias, 'alias'),
    };
    const size = effectivePageSize(request.pageSize);
    const before = decodePageToken(request.pageToken, 'alias-history', filter, ['number']);
    const rows = await metadata.aliasHistory({
      ...filter,
      beforeSequence: before?.[0] as number | undefined,
      limit: size + 1,
    });
    const { items, nextPageToken } = page(rows, size, 'alias-history', filter, (e) => [e.sequence]);
    return { events: items, nextPageToken };
  });
}
