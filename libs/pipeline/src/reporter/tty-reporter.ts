// The reporter on a terminal: one line per stage (`✓ ingest  12s`), the running stage and its long work
// as live bars below them, e.g.
//   ▸ pretrain  3m05s
//     pre-training  [██████████░░░░░░░░░░░░░░] 42%  step 218/520  loss 4.213  tokens/s 3,104  ETA 4m10s
//
// The bars are cli-progress's MultiBar. Why cli-progress rather than listr2: the stages push progress as
// it arrives from the services' watch streams (a callback per update, two fine-tunes at once), which is
// exactly MultiBar's model (create a bar, update it, remove it, log lines above the bars); listr2 wants
// to own the control flow as a tree of task functions, which would turn run-pipeline.ts inside out. It is
// small (one dependency, string-width), maintained, and writes to any stream, so it is tested with a fake.
import { MultiBar, type SingleBar } from 'cli-progress';

import { formatDuration, formatValue, type ProgressFields, type Reporter } from './reporter';

/** What the reporter needs of a terminal: process.stdout or a fake in tests. */
export interface TtyStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface TtyReporterOptions {
  /** Redraws a second. @default 5 */
  fps?: number;
  now?: () => number;
}

const BAR_CELLS = 24;
/** Fields shown under another name. */
const FIELD_NAMES: Readonly<Record<string, string>> = { tokens_per_s: 'tokens/s' };
/** Fields the bar shows in its own way (ETA, unit) or not at all (ids, for the log lines). */
const HIDDEN_FIELDS = new Set([
  'eta_s',
  'unit',
  'training_s',
  'lr',
  'job',
  'run',
  'finetune',
  'study',
  'task',
]);

interface Row {
  kind: 'stage' | 'task';
  label: string;
  startedAt: number;
  done: number;
  total: number;
  fields: ProgressFields;
}

/** A task row, e.g. `  tokenizer training  [████░░░░] 42%  12,600/30,000 merges  ETA 14s`. */
export function formatTaskRow(row: Row, etaSeconds: number | undefined): string {
  const parts = [`  ${row.label}`];
  const unit = typeof row.fields['unit'] === 'string' && row.fields['unit'] ? ` ${row.fields['unit']}` : '';
  if (row.total > 0) {
    const fraction = Math.min(1, Math.max(0, row.done / row.total));
    const filled = Math.round(fraction * BAR_CELLS);
    parts.push(`[${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}] ${Math.floor(fraction * 100)}%`);
    // Counts are shown when they are counts (a pre-training run reports the fraction of its budget).
    if (Number.isInteger(row.done) && row.total > 1) {
      parts.push(`${formatValue(row.done)}/${formatValue(row.total)}${unit}`);
    }
  } else if (row.done > 0) {
    parts.push(`${formatValue(row.done)}${unit}`);
  }
  for (const [key, value] of Object.entries(row.fields)) {
    if (value === undefined || value === '' || HIDDEN_FIELDS.has(key)) continue;
    parts.push(`${FIELD_NAMES[key] ?? key} ${formatValue(value)}`);
  }
  const eta = typeof row.fields['eta_s'] === 'number' ? row.fields['eta_s'] : etaSeconds;
  if (eta !== undefined && eta > 0 && Number.isFinite(eta) && row.total > 0 && row.done < row.total) {
    parts.push(`ETA ${formatDuration(eta)}`);
  }
  return parts.join('  ');
}

export function createTtyReporter(stream: TtyStream, options: TtyReporterOptions = {}): Reporter {
  const now = options.now ?? Date.now;
  const multibar = new MultiBar({
    // cli-progress only draws on a stream it believes is a terminal; `stream` is one (or a test's fake).
    stream: stream as unknown as NodeJS.WritableStream,
    fps: options.fps ?? 5,
    hideCursor: true,
    // Bars are removed as their work ends; the close leaves no blank line behind.
    clearOnComplete: true,
    linewrap: false,
    etaBuffer: 20,
    format: (_options, params, payload: { row: Row }) => {
      const { row } = payload;
      if (row.kind === 'stage') return `▸ ${row.label}  ${formatDuration((now() - row.startedAt) / 1000)}`;
      return formatTaskRow(row, params.value > 0 ? params.eta : undefined);
    },
  });
  let closed = false;
  // A process that exits with bars up (a second Ctrl-C exits at once) gets its cursor and line
  // wrapping back: a terminal's writes are synchronous, so they land before the exit.
  const restoreTerminal = () => {
    if (!closed) stream.write('\x1b[?25h\x1b[?7h\n');
  };
  process.once('exit', restoreTerminal);
  const active = new Set<SingleBar>();
  let stageBar: SingleBar | undefined;
  const line = (text: string) => {
    if (!closed) multibar.log(`${text}\n`);
  };
  const add = (row: Row): SingleBar | undefined => {
    if (closed) return undefined;
    // cli-progress's value/total drive its ETA; the row keeps what the formatter shows.
    const bar = multibar.create(Math.max(1, row.total), Math.min(row.done, Math.max(1, row.total)), { row });
    active.add(bar);
    return bar;
  };
  const remove = (bar: SingleBar | undefined) => {
    if (bar && active.delete(bar)) multibar.remove(bar);
  };
  return {
    stageStarted(stage) {
      stageBar = add({ kind: 'stage', label: stage, startedAt: now(), done: 0, total: 0, fields: {} });
    },
    stageFinished(stage, seconds) {
      remove(stageBar);
      stageBar = undefined;
      line(`✓ ${stage}  ${seconds < 10 ? `${seconds.toFixed(1)}s` : formatDuration(seconds)}`);
    },
    task(label) {
      const row: Row = { kind: 'task', label, startedAt: now(), done: 0, total: 0, fields: {} };
      const bar = add(row);
      let ended = false;
      return {
        progress(done, total, fields) {
          if (ended || !bar) return;
          row.done = done;
          row.total = total;
          row.fields = fields ?? {};
          if (total > 0) bar.setTotal(total);
          bar.update(Math.min(done, Math.max(1, total)), { row });
        },
        done(summary) {
          if (ended) return;
          ended = true;
          remove(bar);
          const seconds = (now() - row.startedAt) / 1000;
          line(`  ✓ ${label}${summary ? `: ${summary}` : ''}  ${formatDuration(seconds)}`);
        },
      };
    },
    note(text) {
      line(text);
    },
    close() {
      if (closed) return;
      // Draws the lines logged since the last redraw, then ends the bars with the cursor shown again.
      multibar.update();
      for (const bar of [...active]) remove(bar);
      multibar.stop();
      closed = true;
      process.removeListener('exit', restoreTerminal);
    },
  };
}
