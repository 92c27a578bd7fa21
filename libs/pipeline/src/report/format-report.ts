// The report for people, printed at the end of the main job.
import { describeGain } from './adaptation';
import type { EvalPoint } from '../stages/pretrain-run';
import type { FinetuneSummary, PipelineReport } from './report-types';

const f = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** A one-line sparkline of the eval losses (lower bar = lower loss). */
export function sparkline(values: number[]): string {
  const bars = '▁▂▃▄▅▆▇█';
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return values
    .map((v) =>
      Number.isFinite(v) ? bars[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (bars.length - 1))] : ' ',
    )
    .join('');
}

function curveRows(curve: EvalPoint[]): string[][] {
  return curve.map((p) => [String(p.step), int(p.tokens), f(p.loss), f(p.evalLoss), f(p.perplexity, 1)]);
}

function finetuneRow(name: string, s: FinetuneSummary): string[] {
  return [
    name,
    s.model,
    String(s.trainExamples),
    String(s.steps),
    pct(s.testAccuracy),
    f(s.testMacroF1),
    f(s.testLoss),
  ];
}

const budgetText = (b: number) => (b === 0 ? 'all' : String(b));

export function formatReport(report: PipelineReport, reportFile: string): string {
  const p = report.pretrain;
  const ft = report.finetune;
  const out: string[] = [];
  const section = (title: string) => out.push('', title, '='.repeat(title.length));
  out.push(
    `Headstart main job — ${f(report.durationSeconds / 60, 1)} min, backend ${report.backend.name} (${report.backend.kind}, ${report.backend.threads} threads)`,
  );
  out.push(`files under ${report.home}; report ${reportFile}`);
  out.push(`stages: ${report.stages.map((s) => `${s.stage} ${f(s.seconds, 1)} s`).join(', ')}`);
  if (report.reused.length > 0) out.push(`reused from an earlier run: ${report.reused.join(', ')}`);

  section('Data');
  out.push(
    `corpus ${report.corpus.version}: ${int(report.corpus.documents)} documents (${int(report.corpus.trainDocuments)} train, ${int(report.corpus.validationDocuments)} validation), ${int(report.corpus.bytes)} bytes${report.data.subset ? ' (subset)' : ''}`,
    `tokenizer ${report.tokenizer.version}: WordPiece, ${int(report.tokenizer.vocabSize)} tokens`,
    `shards ${report.shards.version}: ${int(report.shards.trainTokens)} train tokens, ${int(report.shards.validationTokens)} validation tokens`,
  );

  section('Pre-training');
  out.push(
    `run ${p.runId} (${p.origin === 'new' ? 'started now' : 'started by an earlier run'}): ${int(p.steps)} steps, ${int(p.tokens)} tokens, ${int(p.parameters)} parameters, ` +
      `${f(p.trainingSeconds / 60, 1)} min, ${int(p.tokensPerSecond)} tokens/s on ${p.backend}`,
    `budget ${p.plan.budget}${p.plan.measuredStepMs ? ` (the run's own time budget; an isolated step took ${int(p.plan.measuredStepMs)} ms, so about ${int(p.plan.totalSteps)} steps were expected and ${int(p.steps)} were trained)` : ''}`,
    `final checkpoint ${p.finalCheckpoint}: MLM eval loss ${f(p.finalEvalLoss)} nats (perplexity ${f(p.finalPerplexity, 1)}), best ${f(p.bestEvalLoss)}`,
    `unigram baseline of the shards: entropy ${f(p.unigram.trainEntropy)} nats (train), cross-entropy ${f(p.unigram.validationCrossEntropy)} nats (validation) → ` +
      `the base is ${f(Math.abs(p.unigram.validationCrossEntropy - p.finalEvalLoss))} nats ${p.finalEvalLoss < p.unigram.validationCrossEntropy ? 'below' : 'ABOVE'} it`,
    `eval loss curve ${sparkline(p.curve.map((c) => c.evalLoss))}`,
    ...table(['step', 'tokens', 'train loss', 'eval loss', 'perplexity'], curveRows(p.curve)),
  );

  section(`Fine-tuning on ${ft.labelBudget} labels (fired by the final checkpoint; one seed each)`);
  out.push(
    ...table(
      ['base', 'model', 'labels', 'steps', 'test acc', 'macro-F1', 'test loss'],
      [finetuneRow('pre-trained', ft.pretrained), finetuneRow('from scratch', ft.scratch)],
    ),
    `difference (pre-trained − scratch): accuracy ${f(ft.delta.accuracy * 100, 1)} points, macro-F1 ${f(ft.delta.macroF1 * 100, 1)} points; ` +
      `majority class scores ${pct(ft.pretrained.majorityAccuracy)} on this test split`,
    `triggers: ${ft.pretrained.jobsForCheckpoint} + ${ft.scratch.jobsForCheckpoint} job(s) for the final checkpoint; ` +
      `checkpoint → job created in ${f(ft.pretrained.triggerLatencySeconds, 2)} s and ${f(ft.scratch.triggerLatencySeconds, 2)} s`,
  );

  const adaptation = report.adaptation;
  if (adaptation) {
    section(`Task-adaptive pre-training on ${adaptation.task} (fired by the final checkpoint)`);
    out.push(
      `run ${adaptation.runId}: ${adaptation.from} → ${adaptation.checkpoint}, ${int(adaptation.steps)} steps, ` +
        `${int(adaptation.tokens)} tokens of ${adaptation.shards} (${int(adaptation.shardsTokens)} training tokens of ${adaptation.corpus}), ` +
        `${f(adaptation.trainingSeconds, 0)} s; eval loss ${f(adaptation.finalEvalLoss, 3)}`,
      ...adaptation.gains.map((g) => `adapted − general base: ${describeGain(g)}`),
    );
  }

  for (const study of report.studies) {
    section(
      `Transfer study: ${study.task} (${study.seeds} paired seeds at ${study.budgets.map(budgetText).join(', ')} labels)`,
    );
    if (study.state !== 'SUCCEEDED') out.push(`${study.state}: ${study.error}`);
    else out.push(study.verdict, '', study.table, '', `report ${study.report}: ${study.folder}`);
  }

  section('Predictions');
  out.push(`Classify with ${report.predictions.model} (labels ${report.predictions.labels.join(', ')}):`);
  for (const c of report.predictions.classified) {
    const text = c.text.replace(/\s+/g, ' ').slice(0, 70);
    out.push(
      `  ${c.expected === c.predicted ? 'ok  ' : 'MISS'} expected ${c.expected.padEnd(5)} got ${c.predicted.padEnd(5)} p=${f(c.probability, 2)}  ${text}`,
    );
  }
  out.push(`FillMask "${report.predictions.fillMask.text}" with ${p.finalCheckpoint}:`);
  out.push(
    `  ${report.predictions.fillMask.candidates.map((c) => `${c.token} (${f(c.score, 3)})`).join(', ')}`,
  );

  section('Lineage of the fine-tuned model');
  out.push(...report.lineage.tree);

  section(`Registered versions (${report.versions.length})`);
  out.push(
    ...table(
      ['version', 'kind', 'bytes', 'created', 'parents'],
      report.versions.map((v) => [
        v.ref,
        v.kind,
        int(v.sizeBytes),
        v.createdAt.slice(0, 19),
        v.parents.join(', '),
      ]),
    ),
  );

  section('Verdict');
  out.push(report.verdict);
  return out.join('\n');
}
