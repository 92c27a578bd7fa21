import type { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { formatBytes, formatKind, formatMap, formatTime, json, list, versionLabel } from '../format';
import type { Output } from '../output';

export function describeVersion(out: Output, v: registry.ModelVersion): string {
  const fields: Array<[string, string]> = [
    ['version', versionLabel(v)],
    ['id', v.id],
    ['kind', formatKind(v.kind)],
  ];
  if (v.description !== '') fields.push(['description', v.description]);
  fields.push(
    ['size', `${formatBytes(v.artifactSize)} (${v.artifactSize} bytes)`],
    ['sha256', v.artifactSha256],
    ['created', formatTime(v.createdAt)],
  );
  if (v.runId !== '') fields.push(['run', v.runId]);
  fields.push(
    ['aliases', list(v.aliases)],
    ['tags', list(v.tags)],
    ['parents', list(v.parents.map((p) => `${p.modelName}:${p.version} (${p.relation})`))],
    ['metadata', formatMap(v.metadata)],
    ['metrics', formatMap(v.metrics)],
  );
  return out.fields(fields);
}

/** `headstart get NAME[:VERSION|@ALIAS]`: one version in full. */
export async function getVersion(client: RegistryClient, out: Output, ref: string): Promise<void> {
  const version = await client.getVersion(ref);
  out.result(
    () => ({ version: json.version(version) }),
    () => describeVersion(out, version),
  );
}
