import { createReadStream } from 'node:fs';
import { dataLoss } from '@headstart/errors';
import type { SplitName } from './parse-documents';
import { splitLines } from './split-lines';

/**
 * The normalised corpus an upload registers (metadata `format`): UTF-8 JSONL, one document a line,
 * `{"text": "...", "split": "train" | "validation"}`, in upload order, duplicates and empty documents
 * already removed. Plain enough for any tool to read; every ingest job reads it back with `readCorpus`.
 */
export const CORPUS_FILE_FORMAT = 'headstart.corpus.v1';

export interface CorpusDocument {
  text: string;
  split: SplitName;
  /** Bytes of the file read so far, for progress. */
  bytesRead: number;
}

export interface ReadCorpusOptions {
  /** Only this split's documents. */
  split?: SplitName;
}

/** Streams the documents of a normalised corpus file; a malformed line is DATA_LOSS (we wrote it). */
export async function* readCorpus(
  file: string,
  options: ReadCorpusOptions = {},
): AsyncGenerator<CorpusDocument, void, undefined> {
  let bytesRead = 0;
  for await (const line of splitLines(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    Number.MAX_SAFE_INTEGER,
  )) {
    bytesRead += line.bytes;
    if (line.text === '') continue;
    let record: { text?: unknown; split?: unknown };
    try {
      record = JSON.parse(line.text) as typeof record;
    } catch {
      throw dataLoss(
        `corpus file line ${line.number} is not JSON: the artifact is not a ${CORPUS_FILE_FORMAT} file`,
      );
    }
    const { text, split } = record;
    if (typeof text !== 'string' || (split !== 'train' && split !== 'validation')) {
      throw dataLoss(`corpus file line ${line.number} is not a ${CORPUS_FILE_FORMAT} record`);
    }
    if (options.split !== undefined && split !== options.split) continue;
    yield { text, split, bytesRead };
  }
}
