import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ParsedDocument, SplitName } from './parse-documents';
import { splitLines } from './split-lines';
import { chooseValidation, splitKey, validationCount } from './split';

export interface CorpusBuilderOptions {
  /** Scratch directory (the builder's files live and die there). */
  dir: string;
  /** Seed of the validation split. */
  seed: number;
  /** Fraction of documents for validation; ignored when documents carry their split. */
  validationFraction: number;
}

export interface CorpusCounts {
  documents: number;
  bytes: number;
  duplicatesDropped: number;
  emptyDropped: number;
  trainDocuments: number;
  validationDocuments: number;
  trainBytes: number;
  validationBytes: number;
}

export interface BuiltCorpus {
  /** The normalised corpus (see corpus-file.ts). */
  file: string;
  sha256: string;
  size: number;
  counts: CorpusCounts;
}

const FLUSH_CHARS = 1 << 20;

/**
 * Collects documents in two passes. Pass one (while the upload streams in): drop exact duplicates (a
 * set of 128-bit digest prefixes, 16 bytes per distinct document), write each text as a JSON string to
 * a scratch file, and remember its split key and size. Pass two (once everything is valid): pick the
 * validation documents and write the final JSONL with a split on every line, hashing it on the way.
 */
export class CorpusBuilder {
  private readonly seen = new Set<string>();
  private readonly keys: number[] = [];
  private readonly sizes: number[] = [];
  private readonly assigned: SplitName[] = [];
  private readonly scratch: string;
  private handle: fs.FileHandle | undefined;
  private pending: string[] = [];
  private pendingChars = 0;
  private duplicates = 0;
  private empty = 0;

  private constructor(private readonly options: CorpusBuilderOptions) {
    this.scratch = path.join(options.dir, 'documents.scratch');
  }

  static async create(options: CorpusBuilderOptions): Promise<CorpusBuilder> {
    const builder = new CorpusBuilder(options);
    builder.handle = await fs.open(builder.scratch, 'wx');
    return builder;
  }

  get documents(): number {
    return this.sizes.length;
  }

  async add(doc: ParsedDocument): Promise<void> {
    if (doc.text.trim() === '') {
      this.empty++;
      return;
    }
    const digest = createHash('sha256').update(doc.text, 'utf8').digest();
    const id = digest.toString('latin1', 0, 16);
    if (this.seen.has(id)) {
      this.duplicates++;
      return;
    }
    this.seen.add(id);
    if (doc.split !== undefined) this.assigned.push(doc.split);
    else this.keys.push(splitKey(this.options.seed, digest));
    this.sizes.push(Buffer.byteLength(doc.text, 'utf8'));
    const line = `${JSON.stringify(doc.text)}\n`;
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= FLUSH_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    await this.handle!.write(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  private splits(): (index: number) => SplitName {
    if (this.assigned.length > 0) return (i) => this.assigned[i]!;
    const marks = chooseValidation(
      this.keys,
      validationCount(this.keys.length, this.options.validationFraction),
    );
    return (i) => (marks[i] === 1 ? 'validation' : 'train');
  }

  /** Writes the final corpus file. Call once every document has been added (and the input was valid). */
  async finish(): Promise<BuiltCorpus> {
    await this.flush();
    await this.handle!.close();
    this.handle = undefined;
    const splitOf = this.splits();
    const counts: CorpusCounts = {
      documents: this.sizes.length,
      bytes: 0,
      duplicatesDropped: this.duplicates,
      emptyDropped: this.empty,
      trainDocuments: 0,
      validationDocuments: 0,
      trainBytes: 0,
      validationBytes: 0,
    };
    const file = path.join(this.options.dir, 'corpus.jsonl');
    const out = await fs.open(file, 'wx');
    const hash = createHash('sha256');
    let size = 0;
    let batch: string[] = [];
    let batchChars = 0;
    const write = async (): Promise<void> => {
      const data = Buffer.from(batch.join(''), 'utf8');
      hash.update(data);
      size += data.length;
      await out.write(data);
      batch = [];
      batchChars = 0;
    };
    try {
      let index = 0;
      const lines = splitLines(
        createReadStream(this.scratch, { highWaterMark: 1 << 20 }),
        Number.MAX_SAFE_INTEGER,
      );
      for await (const line of lines) {
        const split = splitOf(index);
        const bytes = this.sizes[index]!;
        counts.bytes += bytes;
        if (split === 'train') {
          counts.trainDocuments++;
          counts.trainBytes += bytes;
        } else {
          counts.validationDocuments++;
          counts.validationBytes += bytes;
        }
        const record = `{"text":${line.text},"split":"${split}"}\n`;
        batch.push(record);
        batchChars += record.length;
        if (batchChars >= FLUSH_CHARS) await write();
        index++;
      }
      if (index !== this.sizes.length) {
        throw new Error(`scratch file holds ${index} documents, ${this.sizes.length} were added`);
      }
      await write();
      await out.sync();
    } finally {
      await out.close();
    }
    await fs.rm(this.scratch, { force: true });
    return { file, sha256: hash.digest('hex'), size, counts };
  }

  /** Closes the scratch file; the caller removes the directory. */
  async abort(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }
}
