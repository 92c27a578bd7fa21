import { failedPrecondition, invalidArgument } from '@headstart/errors';
import { ingest, registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { CORPUS_FILE_FORMAT } from '../corpus/corpus-file';
import { validateDescription, validateModelName, validateTags } from '../names';
import { pinnedRef, requireKindIfExists, resolveVersion, versionLabel } from '../registry-refs';
import type { JobApi } from './job-api';
import { trainSettings } from './train-settings';

const { ModelKind } = registry;

/** A DATASET version that UploadCorpus registered (not, say, shards or a file uploaded by hand). */
async function resolveCorpus(
  client: RegistryClient,
  ref: ingest.StartTokenizeRequest['dataset'],
): Promise<registry.ModelVersion> {
  const version = await resolveVersion(client, ref, ModelKind.MODEL_KIND_DATASET, 'dataset');
  const format = version.metadata['format'];
  if (format !== CORPUS_FILE_FORMAT) {
    throw failedPrecondition(
      `dataset ${versionLabel(version)} is not a corpus (its format is ${JSON.stringify(format ?? '')}, not ` +
        `"${CORPUS_FILE_FORMAT}"): use a dataset registered by UploadCorpus (headstart corpus upload)`,
      { field: 'dataset' },
    );
  }
  return version;
}

/**
 * StartTrainTokenizer: everything that can be checked before the job runs is checked here, so a bad
 * request fails the call (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION) instead of a job. The
 * dataset reference is pinned to the version it resolves to now.
 */
export async function startTrainTokenizer(
  request: ingest.StartTrainTokenizerRequest,
  client: RegistryClient,
  jobs: Pick<JobApi, 'submit'>,
): Promise<ingest.Job> {
  trainSettings(request);
  const tokenizerName = validateModelName(request.tokenizerName, 'tokenizer_name');
  const tags = validateTags(request.tags);
  validateDescription(request.description);
  const dataset = await resolveCorpus(client, request.dataset);
  await requireKindIfExists(client, tokenizerName, ModelKind.MODEL_KIND_TOKENIZER);
  const spec: ingest.StartTrainTokenizerRequest = { ...request, dataset: pinnedRef(dataset), tags };
  return jobs.submit(ingest.JobKind.JOB_KIND_TRAIN_TOKENIZER, {
    $case: 'trainTokenizer',
    trainTokenizer: spec,
  });
}

/** StartTokenize: the same early checks; both references are pinned. */
export async function startTokenize(
  request: ingest.StartTokenizeRequest,
  client: RegistryClient,
  jobs: Pick<JobApi, 'submit'>,
): Promise<ingest.Job> {
  const shardsName = validateModelName(request.shardsName, 'shards_name');
  const tags = validateTags(request.tags);
  validateDescription(request.description);
  const dataset = await resolveCorpus(client, request.dataset);
  if (shardsName === dataset.modelName) {
    throw invalidArgument(
      'shards_name must differ from the corpus name: shards and corpora are different datasets',
      {
        field: 'shards_name',
      },
    );
  }
  const tokenizer = await resolveVersion(
    client,
    request.tokenizer,
    ModelKind.MODEL_KIND_TOKENIZER,
    'tokenizer',
  );
  await requireKindIfExists(client, shardsName, ModelKind.MODEL_KIND_DATASET);
  const spec: ingest.StartTokenizeRequest = {
    ...request,
    dataset: pinnedRef(dataset),
    tokenizer: pinnedRef(tokenizer),
    tags,
  };
  return jobs.submit(ingest.JobKind.JOB_KIND_TOKENIZE, { $case: 'tokenize', tokenize: spec });
}
