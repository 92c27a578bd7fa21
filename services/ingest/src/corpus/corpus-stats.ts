// A built corpus's figures: as the RPCs answer them (CorpusStats) and as the registry shows them (metrics,
// snake_case). One place for both ways a corpus is made (an upload, a labelled dataset's texts).
import type { ingest } from '@headstart/proto';
import type { BuiltCorpus } from './corpus-builder';

/** The corpus's counts, with what was read to build it (input bytes and lines). */
export function corpusStats(built: BuiltCorpus, input: { bytes: number; lines: number }): ingest.CorpusStats {
  const c = built.counts;
  return {
    documents: c.documents,
    bytes: c.bytes,
    inputBytes: input.bytes,
    lines: input.lines,
    duplicatesDropped: c.duplicatesDropped,
    emptyDropped: c.emptyDropped,
    trainDocuments: c.trainDocuments,
    validationDocuments: c.validationDocuments,
    trainBytes: c.trainBytes,
    validationBytes: c.validationBytes,
  };
}

/** Snake-case metric names, as the registry shows them. */
export function corpusMetrics(stats: ingest.CorpusStats): Record<string, number> {
  return {
    documents: stats.documents,
    bytes: stats.bytes,
    input_bytes: stats.inputBytes,
    lines: stats.lines,
    duplicates_dropped: stats.duplicatesDropped,
    empty_dropped: stats.emptyDropped,
    train_documents: stats.trainDocuments,
    validation_documents: stats.validationDocuments,
    train_bytes: stats.trainBytes,
    validation_bytes: stats.validationBytes,
  };
}
