// What StartRun learns about the base a run continues from (`continue_from`): that the version exists
// (NOT_FOUND), that it is a pre-training checkpoint (FAILED_PRECONDITION otherwise), its architecture
// (the run keeps it) and the tokenizer its shards were made with (the new shards must use the same ids).
import { Code, HeadstartError } from '@headstart/errors';
import type { BertConfig } from '@headstart/model';
import type { common } from '@headstart/proto';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { versionRef } from '@headstart/registry-client';
import { CheckpointFormatError, readCheckpoint } from '@headstart/checkpoint';
import { getSpecVersion } from './get-version';
import { tokenizerLink } from './register-checkpoint';

export interface InspectedBase {
  version: registry.ModelVersion;
  /** The reference pinned to the version number it resolved to. */
  pinned: common.VersionRef;
  model: BertConfig;
  /** Version id of the base's `tokenized_with` parent, when its lineage names one. */
  tokenizerId: string | undefined;
}

const field = { details: { field: 'continue_from' } };

export async function inspectBase(client: RegistryClient, ref: common.VersionRef): Promise<InspectedBase> {
  const version = await getSpecVersion(client, ref, 'continue_from');
  const label = `${version.modelName}:${version.version}`;
  if (version.kind !== registry.ModelKind.MODEL_KIND_BASE_MODEL) {
    throw new HeadstartError(
      Code.FAILED_PRECONDITION,
      `continue_from ${label} is a ${registry.modelKindToJSON(version.kind)}; a run continues from a BASE_MODEL version (a pre-training checkpoint)`,
      field,
    );
  }
  const pinned = versionRef(version.modelName, version.version);
  let model: BertConfig;
  try {
    const bytes = await client.downloadToBuffer(pinned, { maxBytes: version.artifactSize });
    model = (await readCheckpoint(bytes)).state.model;
  } catch (err) {
    if (!(err instanceof CheckpointFormatError)) throw err;
    throw new HeadstartError(
      Code.FAILED_PRECONDITION,
      `continue_from ${label} is not a pre-training checkpoint bundle (${err.message})`,
      { cause: err, ...field },
    );
  }
  return { version, pinned, model, tokenizerId: tokenizerLink(version)?.versionId };
}
