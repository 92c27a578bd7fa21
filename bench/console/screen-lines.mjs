#!/usr/bin/env node
// Replays a terminal recording (`script -qc '<command>' <file>`) on a tiny VT100 screen, enough of it for
// cli-progress (cursor up/down, column, erase line/display, save/restore, CR, LF), and prints the lines
// left on the screen: what a person sees once the job ends (bars redrawn in place count once). The count
// goes to stderr.
//   script -qc 'make demo' /tmp/demo.raw && node bench/console/screen-lines.mjs /tmp/demo.raw > /tmp/demo.screen
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: screen-lines.mjs <script recording>\n');
  process.exit(2);
}
const data = readFileSync(file, 'utf8');
const rows = [[]];
let x = 0;
let y = 0;
let saved = [0, 0];
const row = (i) => {
  while (rows.length <= i) rows.push([]);
  return rows[i];
};
// An escape sequence, save/restore cursor, CR, LF, or one character.
const token = /\x1b\[([?0-9;]*)([A-Za-z])|\x1b([78])|(\r)|(\n)|([^\x1b\r\n])/gu;
for (const m of data.matchAll(token)) {
  const [, args, command, saveRestore, cr, lf, ch] = m;
  if (command) {
    const n = args && /^\d+$/.test(args) ? Number(args) : undefined;
    if (command === 'A') y = Math.max(0, y - (n ?? 1));
    else if (command === 'B') y += n ?? 1;
    else if (command === 'G') x = (n ?? 1) - 1;
    else if (command === 'K') {
      const r = row(y);
      if ((n ?? 0) === 0) r.length = Math.min(r.length, x);
      else if (n === 2) r.length = 0;
    } else if (command === 'J') {
      const r = row(y);
      r.length = Math.min(r.length, x);
      rows.length = Math.min(rows.length, y + 1);
    }
  } else if (saveRestore === '7') saved = [x, y];
  else if (saveRestore === '8') [x, y] = saved;
  else if (cr) x = 0;
  else if (lf) {
    y += 1;
    row(y);
  } else if (ch) {
    const r = row(y);
    while (r.length < x) r.push(' ');
    r[x] = ch;
    x += 1;
  }
}
const lines = rows.map((r) => r.join('').trimEnd());
while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
process.stdout.write(`${lines.join('\n')}\n`);
process.stderr.write(`lines on screen: ${lines.length}\n`);
