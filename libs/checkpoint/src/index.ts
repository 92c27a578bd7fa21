// @headstart/checkpoint: the pre-training checkpoint bundle (what pre-training registers and fine-tuning
// loads) and the ustar writer and reader behind every Headstart tar artifact.
export type {
  Checkpoint,
  CheckpointContents,
  CheckpointCounters,
  CheckpointMeta,
  CheckpointRngStates,
  CheckpointState,
  CheckpointTraining,
  EvalRecord,
} from './bundle';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  CheckpointFormatError,
  OPTIMIZER_FILE,
  STATE_FILE,
  packCheckpoint,
  readCheckpoint,
} from './bundle';
export type { TarChunkedEntry, TarEntry } from './tar';
export { TarFormatError, packTar, unpackTar } from './tar';
export type { TarFile } from './tar-files';
export { readTarFiles, safeEntryPath } from './tar-files';
