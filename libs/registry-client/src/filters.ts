import type { registry } from '@headstart/proto';
import { parseModelKind, type ModelKindInput } from './model-kind';
import { toVersionRef, type VersionRefInput } from './version-ref';

/** Which models to list; every field is optional and they combine with AND. */
export interface ModelFilter {
  kind?: ModelKindInput;
  namePrefix?: string;
  tag?: string;
}

/** Which versions to search; every field is optional and they combine with AND. */
export interface VersionFilterInput {
  modelName?: string;
  kind?: ModelKindInput;
  namePrefix?: string;
  tag?: string;
  /** Versions an alias of this name points at. */
  alias?: string;
  /** Direct children of this version. */
  parent?: VersionRefInput;
  /** With `parent`: only links of this relation. */
  relation?: string;
  runId?: string;
}

/** Paging of the single-page variants; the registry caps pageSize at 1000 (0 means 100). */
export interface PageRequest {
  pageSize?: number;
  pageToken?: string;
}

export function toListModelsRequest(filter: ModelFilter, page: PageRequest): registry.ListModelsRequest {
  return {
    kind: filter.kind === undefined ? 0 : parseModelKind(filter.kind),
    namePrefix: filter.namePrefix ?? '',
    tag: filter.tag ?? '',
    pageSize: page.pageSize ?? 0,
    pageToken: page.pageToken ?? '',
  };
}

export function toVersionFilter(filter: VersionFilterInput): registry.VersionFilter {
  return {
    modelName: filter.modelName ?? '',
    kind: filter.kind === undefined ? 0 : parseModelKind(filter.kind),
    namePrefix: filter.namePrefix ?? '',
    tag: filter.tag ?? '',
    alias: filter.alias ?? '',
    parent: filter.parent === undefined ? undefined : toVersionRef(filter.parent),
    relation: filter.relation ?? '',
    runId: filter.runId ?? '',
  };
}
