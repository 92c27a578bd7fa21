import type { registry } from '@headstart/proto';
import type { RegistryClient, VersionFilterInput } from '@headstart/registry-client';
import { formatBytes, formatKind, formatTime, json, list, shortDigest, versionLabel } from '../format';
import type { Output } from '../output';

export interface ListVersionsOptions {
  tag?: string;
  alias?: string;
  /** Direct children of this version (NAME, NAME:VERSION or NAME@ALIAS). */
  parent?: string;
  relation?: string;
  kind?: string;
  prefix?: string;
  runId?: string;
}

function toFilter(name: string | undefined, options: ListVersionsOptions): VersionFilterInput {
  const filter: VersionFilterInput = {};
  if (name !== undefined) filter.modelName = name;
  if (options.tag !== undefined) filter.tag = options.tag;
  if (options.alias !== undefined) filter.alias = options.alias;
  if (options.parent !== undefined) filter.parent = options.parent;
  if (options.relation !== undefined) filter.relation = options.relation;
  if (options.kind !== undefined) filter.kind = options.kind;
  if (options.prefix !== undefined) filter.namePrefix = options.prefix;
  if (options.runId !== undefined) filter.runId = options.runId;
  return filter;
}

export function versionsTable(out: Output, versions: readonly registry.ModelVersion[]): string {
  return out.table(
    [
      { header: 'version' },
      { header: 'kind' },
      { header: 'size', align: 'right' },
      { header: 'sha256' },
      { header: 'aliases' },
      { header: 'tags' },
      { header: 'created' },
    ],
    versions.map((v) => [
      versionLabel(v),
      formatKind(v.kind),
      formatBytes(v.artifactSize),
      shortDigest(v.artifactSha256),
      list(v.aliases),
      list(v.tags),
      formatTime(v.createdAt),
    ]),
  );
}

/** `headstart versions ls [NAME]`: versions of one model, or of any model, matching the filter. */
export async function listVersions(
  client: RegistryClient,
  out: Output,
  name: string | undefined,
  options: ListVersionsOptions,
): Promise<void> {
  const versions: registry.ModelVersion[] = [];
  for await (const version of client.searchVersions(toFilter(name, options))) versions.push(version);
  out.result(
    () => ({ versions: versions.map(json.version) }),
    () => (versions.length === 0 ? 'no versions match\n' : versionsTable(out, versions)),
  );
}
