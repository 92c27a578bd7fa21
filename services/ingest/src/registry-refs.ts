import { Code, failedPrecondition, invalidArgument, isHeadstartError } from '@headstart/errors';
import type { common, registry } from '@headstart/proto';
import { formatModelKind, formatVersionRef, type RegistryClient } from '@headstart/registry-client';

export function kindName(kind: registry.ModelKind): string {
  return formatModelKind(kind).toUpperCase();
}

/** `name:version`, the way people and the CLI write one version. */
export function versionLabel(version: { modelName: string; version: number }): string {
  return `${version.modelName}:${version.version}`;
}

/** A reference to exactly this version, so a job never follows `latest` or an alias that moved. */
export function pinnedRef(version: registry.ModelVersion): common.VersionRef {
  return { name: version.modelName, selector: { $case: 'version', version: version.version } };
}

/**
 * Refuses early when a model of that name exists with another kind (the registry would refuse the
 * commit at the very end otherwise). A model that does not exist yet is fine: the commit creates it.
 */
export async function requireKindIfExists(
  client: RegistryClient,
  name: string,
  kind: registry.ModelKind,
  signal?: AbortSignal,
): Promise<void> {
  try {
    const model = await client.getModel(name, { ...(signal === undefined ? {} : { signal }) });
    if (model.kind !== kind) {
      throw failedPrecondition(
        `model ${JSON.stringify(name)} is a ${kindName(model.kind)}, not a ${kindName(kind)}`,
      );
    }
  } catch (err) {
    if (isHeadstartError(err, Code.NOT_FOUND)) return;
    throw err;
  }
}

/** Resolves a reference and checks the version's kind: NOT_FOUND if it does not exist, FAILED_PRECONDITION if it is of another kind. */
export async function resolveVersion(
  client: RegistryClient,
  ref: common.VersionRef | undefined,
  kind: registry.ModelKind,
  field: string,
): Promise<registry.ModelVersion> {
  if (ref === undefined || ref.name === '') throw invalidArgument(`${field} is required`, { field });
  const version = await client.getVersion(ref);
  if (version.kind !== kind) {
    throw failedPrecondition(
      `${field} ${formatVersionRef(ref)} is ${versionLabel(version)}, a ${kindName(version.kind)}, not a ${kindName(kind)}`,
      { field },
    );
  }
  return version;
}
