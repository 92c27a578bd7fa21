// `headstart classify MODEL TEXT...` and `headstart fill-mask MODEL TEXT`.
import type { FinetuneClient } from '@headstart/finetune-client';
import { finetune } from '@headstart/proto';
import { parseCount } from '../args';
import { versionLabel } from '../format';
import type { Output } from '../output';

const MAX_TEXT_CELL = 60;
const short = (text: string) =>
  text.length <= MAX_TEXT_CELL ? text : `${text.slice(0, MAX_TEXT_CELL - 1)}…`;

export async function classifyTexts(
  client: FinetuneClient,
  out: Output,
  model: string,
  texts: string[],
): Promise<void> {
  const answer = await client.classify(model, texts);
  out.result(
    () => finetune.ClassifyResponse.toJSON(answer),
    () =>
      (answer.modelVersion ? `model ${versionLabel(answer.modelVersion)}\n` : '') +
      out.table(
        [{ header: 'label' }, { header: 'p', align: 'right' }, { header: 'truncated' }, { header: 'text' }],
        answer.predictions.map((p, i) => [
          p.label,
          (p.probabilities[p.label] ?? 0).toFixed(3),
          p.truncated ? 'yes' : 'no',
          short(texts[i] ?? ''),
        ]),
      ),
  );
}

export async function fillMask(
  client: FinetuneClient,
  out: Output,
  model: string,
  text: string,
  options: { topK?: string },
): Promise<void> {
  const topK = options.topK === undefined ? 0 : parseCount(options.topK, 'top-k');
  const answer = await client.fillMask(model, text, topK);
  out.result(
    () => finetune.FillMaskResponse.toJSON(answer),
    () =>
      answer.masks
        .map(
          (mask, m) =>
            `mask ${m + 1} (position ${mask.position})${answer.truncated ? ' [text truncated]' : ''}\n` +
            out.table(
              [
                { header: 'token' },
                { header: 'id', align: 'right' },
                { header: 'p', align: 'right' },
                { header: 'sequence' },
              ],
              mask.tokens.map((t) => [t.token, String(t.tokenId), t.score.toFixed(4), short(t.sequence)]),
            ),
        )
        .join('\n'),
  );
}
