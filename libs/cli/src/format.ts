import { registry } from '@headstart/proto';
import { formatModelKind } from '@headstart/registry-client';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB"; bytes below 1 KiB stay exact. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** UTC to the second, e.g. "2025-11-27 15:45:01Z"; "-" when unknown. */
export function formatTime(date: Date | undefined): string {
  if (date === undefined) return '-';
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** Enough of a digest to tell artifacts apart at a glance. */
export function shortDigest(sha256: string): string {
  return sha256.slice(0, 12);
}

export function versionLabel(version: { modelName: string; version: number }): string {
  return `${version.modelName}:${version.version}`;
}

export function formatKind(kind: registry.ModelKind): string {
  return formatModelKind(kind);
}

/** "a, b" or "-" so empty cells stay visible in a table. */
export function list(items: readonly string[]): string {
  return items.length === 0 ? '-' : items.join(', ');
}

export function formatMap(map: Record<string, string | number>): string {
  const entries = Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/*
 * JSON output follows the proto3 JSON mapping (camelCase fields, enum names, RFC 3339 timestamps,
 * default values omitted): the same shape grpcurl or any other proto3 JSON client prints.
 */
export const json = {
  version: (v: registry.ModelVersion): unknown => registry.ModelVersion.toJSON(v),
  model: (m: registry.Model): unknown => registry.Model.toJSON(m),
  alias: (a: registry.Alias): unknown => registry.Alias.toJSON(a),
  aliasEvent: (e: registry.AliasEvent): unknown => registry.AliasEvent.toJSON(e),
  lineage: (l: registry.GetLineageResponse): unknown => registry.GetLineageResponse.toJSON(l),
  artifact: (a: registry.ArtifactInfo): unknown => registry.ArtifactInfo.toJSON(a),
};
