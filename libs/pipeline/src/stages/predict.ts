// Stage 8: Classify held-out task texts with the fine-tuned model, FillMask a sentence with the base.
import { createReadStream } from 'node:fs';
import * as readline from 'node:readline';

import type { common } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';

import type { FinetuneClient } from '@headstart/finetune-client';

export interface ClassifiedText {
  text: string;
  expected: string;
  predicted: string;
  probability: number;
  truncated: boolean;
}

export interface FillMaskResult {
  text: string;
  /** Top candidates for the first mask: token and probability. */
  candidates: Array<{ token: string; score: number }>;
}

export interface Predictions {
  model: string;
  labels: string[];
  classified: ClassifiedText[];
  fillMask: FillMaskResult;
}

/** The sentence the base model completes (a held-out style sentence; [MASK] is the WordPiece mask token). */
export const FILL_MASK_SENTENCE = 'The President said that the [MASK] of the United States is strong.';

/** `count` test-split texts, taking the labels in turn (file order within each label). */
export async function heldOutTexts(
  taskFile: string,
  count: number,
): Promise<Array<{ text: string; label: string }>> {
  const byLabel = new Map<string, Array<{ text: string; label: string }>>();
  const lines = readline.createInterface({ input: createReadStream(taskFile), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { text?: unknown; label?: unknown; split?: unknown };
    if (row.split !== 'test' || typeof row.text !== 'string') continue;
    const key = String(row.label);
    const list = byLabel.get(key) ?? [];
    if (list.length < count) list.push({ text: row.text, label: key });
    byLabel.set(key, list);
  }
  const labels = [...byLabel.keys()].sort();
  const picked: Array<{ text: string; label: string }> = [];
  for (let i = 0; picked.length < count && labels.some((l) => (byLabel.get(l)?.length ?? 0) > i); i++) {
    for (const l of labels) {
      const item = byLabel.get(l)?.[i];
      if (item && picked.length < count) picked.push(item);
    }
  }
  return picked;
}

const PREDICT_DEADLINE_MS = 120_000;

export async function predict(
  client: FinetuneClient,
  input: {
    finetuned: common.VersionRef;
    base: common.VersionRef;
    taskFile: string;
    count: number;
    signal?: AbortSignal | undefined;
  },
  logger: Logger,
): Promise<Predictions> {
  // Classify and FillMask may load a model first.
  const options = { deadlineMs: PREDICT_DEADLINE_MS, ...(input.signal ? { signal: input.signal } : {}) };
  const texts = await heldOutTexts(input.taskFile, input.count);
  const response = await client.classify(
    input.finetuned,
    texts.map((t) => t.text),
    options,
  );
  const classified = texts.map((t, i): ClassifiedText => {
    const p = response.predictions[i];
    return {
      text: t.text,
      expected: t.label,
      predicted: p?.label ?? '',
      probability: p ? (p.probabilities[p.label] ?? NaN) : NaN,
      truncated: p?.truncated ?? false,
    };
  });
  for (const c of classified) {
    logger.info(
      {
        expected: c.expected,
        predicted: c.predicted,
        probability: +c.probability.toFixed(3),
        text: c.text.slice(0, 60),
      },
      'classify: held-out text',
    );
  }
  const filled = await client.fillMask(input.base, FILL_MASK_SENTENCE, 5, options);
  const fillMask = {
    text: FILL_MASK_SENTENCE,
    candidates: filled.tokens.map((t) => ({ token: t.token, score: t.score })),
  };
  logger.info(
    { text: FILL_MASK_SENTENCE, top: fillMask.candidates.map((c) => `${c.token} ${c.score.toFixed(3)}`) },
    'fill-mask',
  );
  const version = response.modelVersion;
  return {
    model: version ? `${version.modelName}:${version.version}` : '',
    labels: response.labels,
    classified,
    fillMask,
  };
}
