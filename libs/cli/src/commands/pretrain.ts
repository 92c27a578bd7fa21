// `headstart pretrain start|get|ls|watch|cancel`: pre-training runs on the PretrainService.
import { Code, HeadstartError } from '@headstart/errors';
import type { PretrainClient } from '@headstart/pretrain-client';
import { common, pretrain } from '@headstart/proto';
import { formatVersionRef } from '@headstart/registry-client';
import { formatTime } from '../format';
import type { Output } from '../output';
import type { ListRunsOptions, StartRunOptions } from './pretrain-options';
import { STATES, count, parseEnum, startRunRequest } from './pretrain-options';

export type { ListRunsOptions, StartRunOptions } from './pretrain-options';
export { startRunRequest } from './pretrain-options';

const stateLabel = (state: common.JobState) => common.jobStateToJSON(state).replace('JOB_STATE_', '');
const fixed = (value: number, digits = 4) => (value > 0 ? value.toFixed(digits) : '-');

export function formatEta(seconds: number): string {
  if (!(seconds > 0)) return '-';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

function describeRun(out: Output, run: pretrain.Run): string {
  const spec = run.spec;
  const model = spec?.model;
  const checkpoint = (version: number) => (version > 0 ? `${spec?.modelName}:${version}` : '-');
  return out.fields([
    ['run', run.id],
    [
      'state',
      `${stateLabel(run.state)}${run.cancelRequested && run.state === common.JobState.JOB_STATE_RUNNING ? ' (cancelling)' : ''}`,
    ],
    [
      'model',
      `${spec?.modelName} (d ${model?.dModel}, ${model?.layers} layers, ${model?.heads} heads, vocab ${model?.vocabSize}, ${run.parameters.toLocaleString('en-US')} params)`,
    ],
    ['shards', shardsOf(spec)],
    ['step', stepsOf(run)],
    ['tokens', tokensOf(run)],
    ['loss', fixed(run.loss)],
    ['eval loss', run.evalStep > 0 ? `${fixed(run.evalLoss)} at step ${run.evalStep}` : '-'],
    ['best eval', run.bestEvalStep > 0 ? `${fixed(run.bestEvalLoss)} at step ${run.bestEvalStep}` : '-'],
    [
      'checkpoints',
      `last ${checkpoint(run.lastCheckpointVersion)}, best ${checkpoint(run.bestCheckpointVersion)}, final ${checkpoint(run.finalVersion)}`,
    ],
    ['attempts', String(run.attempts)],
    ['worker', run.worker || '-'],
    ['backend', run.backend || '-'],
    ['created', formatTime(run.createdAt)],
    ['started', formatTime(run.startedAt)],
    ['finished', formatTime(run.finishedAt)],
    ...(run.error ? ([['error', `${run.error}${run.errorCode ? ` (${run.errorCode})` : ''}`]] as const) : []),
  ]);
}

/** `headstart pretrain start`. */
export async function startPretrainRun(
  client: PretrainClient,
  out: Output,
  options: StartRunOptions,
): Promise<void> {
  const { spec, idempotencyKey } = startRunRequest(options);
  const run = await client.startRun(spec ?? pretrain.RunSpec.fromPartial({}), { idempotencyKey });
  if (!options.detach) {
    if (!out.json) out.stdout.write(`started run ${run.id}: ${budgetOf(run)}\n`);
    return watchPretrainRun(client, out, run.id);
  }
  out.result(
    () => ({ run: pretrain.Run.toJSON(run) }),
    () => `started run ${run.id} (${stateLabel(run.state)}): ${budgetOf(run)}\n${describeRun(out, run)}`,
  );
}

/** `headstart pretrain get RUN`. */
export async function getPretrainRun(client: PretrainClient, out: Output, runId: string): Promise<void> {
  const run = await client.getRun(runId);
  out.result(
    () => ({ run: pretrain.Run.toJSON(run) }),
    () => describeRun(out, run),
  );
}

/** `headstart pretrain ls`: every page, newest first (at most --limit runs). */
export async function listPretrainRuns(
  client: PretrainClient,
  out: Output,
  options: ListRunsOptions,
): Promise<void> {
  const limit = count(options.limit, 'limit') ?? Infinity;
  const runs: pretrain.Run[] = [];
  let pageToken = '';
  do {
    const page = await client.listRuns({
      state: parseEnum(options.state, 'state', STATES) ?? 0,
      modelName: options.model ?? '',
      pageToken,
    });
    runs.push(...page.runs);
    pageToken = page.nextPageToken;
  } while (pageToken && runs.length < limit);
  const shown = runs.slice(0, limit);
  out.result(
    () => ({ runs: shown.map((r) => pretrain.Run.toJSON(r)) }),
    () =>
      out.table(
        [
          { header: 'run' },
          { header: 'state' },
          { header: 'model' },
          { header: 'step', align: 'right' },
          { header: 'loss', align: 'right' },
          { header: 'eval', align: 'right' },
          { header: 'created' },
        ],
        shown.map((r) => [
          r.id,
          stateLabel(r.state),
          r.spec?.modelName ?? '-',
          stepsOf(r, '/'),
          fixed(r.loss),
          r.evalStep > 0 ? fixed(r.evalLoss) : '-',
          formatTime(r.createdAt),
        ]),
      ),
  );
}

/** "wiki-shards:3", or for a mixture "general:3 x0.7, domain:1 x0.3". */
function shardsOf(spec: pretrain.RunSpec | undefined): string {
  if (spec?.mixture.length) {
    return spec.mixture.map((m) => `${m.shards ? formatVersionRef(m.shards) : '?'} x${m.weight}`).join(', ');
  }
  return spec?.shards ? formatVersionRef(spec.shards) : '-';
}

/** "12,800", or for a mixed run "12,800 (general:3 8,960, domain:1 3,840)". */
function tokensOf(run: pretrain.Run): string {
  const total = run.tokensSeen.toLocaleString('en-US');
  if (run.sourceTokens.length === 0) return total;
  const parts = run.sourceTokens.map(
    (s) => `${s.shards ? formatVersionRef(s.shards) : '?'} ${s.tokens.toLocaleString('en-US')}`,
  );
  return `${total} (${parts.join(', ')})`;
}

/** "2000 steps", or "a 600-s time budget" (and a step cap when one was given). */
function budgetOf(run: pretrain.Run): string {
  const budget = run.spec?.training?.timeBudgetSeconds ?? 0;
  if (budget <= 0) return `${run.totalSteps} steps`;
  return run.totalSteps < 1e9
    ? `a ${budget}-s time budget, at most ${run.totalSteps} steps`
    : `a ${budget}-s time budget`;
}

/** "120 / 2000", or for a run with a time budget "120, 61 s of 600 s". */
function stepsOf(run: pretrain.Run, separator = ' / '): string {
  const budget = run.spec?.training?.timeBudgetSeconds ?? 0;
  if (budget <= 0) return `${run.step}${separator}${run.totalSteps}`;
  return `${run.step}, ${Math.round(run.trainingSeconds)} s of ${budget} s`;
}

/** One human line per progress message. */
export function progressLine(m: pretrain.WatchRunResponse): string {
  const parts = [
    // A run with only a time budget has the service's step cap (1e9) as its total: show the share done.
    m.totalSteps < 1e9
      ? `step ${m.step}/${m.totalSteps}`
      : `step ${m.step} (${Math.floor(m.fractionDone * 100)}%)`,
    `loss ${m.loss.toFixed(4)}`,
    `lr ${m.learningRate.toExponential(2)}`,
    `${Math.round(m.tokensPerSecond).toLocaleString('en-US')} tok/s`,
    `eta ${formatEta(m.etaSeconds)}`,
  ];
  if (m.evalLoss !== undefined)
    parts.push(`eval ${m.evalLoss.toFixed(4)} (ppl ${(m.perplexity ?? Math.exp(m.evalLoss)).toFixed(1)})`);
  return `${parts.join('  ')}\n`;
}

/**
 * `headstart pretrain watch RUN`: progress lines until the run ends (with --json, one JSON document per
 * message, one per line). Exits 0 only when the run succeeded.
 */
export async function watchPretrainRun(client: PretrainClient, out: Output, runId: string): Promise<void> {
  let state = common.JobState.JOB_STATE_UNSPECIFIED;
  // On a terminal: state changes and evaluations as lines, the steps as one live bar.
  const live = out.liveProgress();
  const bar = live?.task(runId);
  const line = (text: string) => (live ? live.note(text.trimEnd()) : out.stdout.write(text));
  let last: pretrain.Run;
  try {
    last = await client.watchRun(runId, (message) => {
      const run = message.run;
      if (out.json) {
        out.stdout.write(`${JSON.stringify(pretrain.WatchRunResponse.toJSON(message))}\n`);
      } else if (run && run.state !== state) {
        line(
          `${run.id}: ${stateLabel(run.state)}${run.resumedFromStep > 0 && run.state === common.JobState.JOB_STATE_RUNNING ? ` (resumed from step ${run.resumedFromStep})` : ''}\n`,
        );
      } else if (message.learningRate > 0) {
        if (bar === undefined || message.evalLoss !== undefined) line(progressLine(message));
        bar?.progress(message.fractionDone, 1, {
          step: message.totalSteps < 1e9 ? `${message.step}/${message.totalSteps}` : message.step,
          loss: +message.loss.toFixed(4),
          tokens_per_s: Math.round(message.tokensPerSecond),
          eta_s: Math.round(message.etaSeconds),
        });
      }
      if (run) state = run.state;
    });
    bar?.done(stateLabel(last.state));
  } finally {
    live?.close();
  }
  if (!out.json) out.stdout.write(describeRun(out, last));
  if (last.state === common.JobState.JOB_STATE_FAILED) {
    const code = (Code as unknown as Record<string, Code>)[last.errorCode] ?? Code.UNKNOWN;
    throw new HeadstartError(code, `run ${runId} failed: ${last.error}`);
  }
  if (last.state === common.JobState.JOB_STATE_CANCELLED) {
    throw new HeadstartError(Code.CANCELLED, `run ${runId} was cancelled`);
  }
}

/** `headstart pretrain cancel RUN`. */
export async function cancelPretrainRun(client: PretrainClient, out: Output, runId: string): Promise<void> {
  const run = await client.cancelRun(runId);
  out.result(
    () => ({ run: pretrain.Run.toJSON(run) }),
    () =>
      run.state === common.JobState.JOB_STATE_RUNNING
        ? `run ${run.id} is stopping at its next step (registered checkpoints stay)\n`
        : `run ${run.id} is ${stateLabel(run.state)}\n`,
  );
}
