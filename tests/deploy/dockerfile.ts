// A small Dockerfile reader: enough structure (stages, ARG defaults, ENV, RUN text) to hold the images to
// the workspace they are built from. There is no Docker engine here, so this is what can be checked.
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The image reference as written (`${CUDA_IMAGE}`), and with global ARG defaults substituted. */
  from: string;
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults ('' when none). */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

/** Logical lines: continuations joined, comment and blank lines dropped (as Docker does). */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) || (current === '' && line.trim() === '')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    out.push((current + line).trim());
    current = '';
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function substitute(value: string, args: Map<string, string>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a?: string, b?: string) => args.get(a ?? b ?? '') ?? m);
}

export function parseDockerfile(path: string): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logicalLines(readFileSync(path, 'utf8'))) {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(line);
    if (!m || !m[1]) continue;
    const keyword = m[1].toUpperCase();
    const args = m[2] ?? '';
    if (keyword === 'FROM') {
      const [from = '', , name] = args.split(/\s+/);
      stages.push({ from, image: substitute(from, globalArgs), ...(name ? { name } : {}), instructions: [] });
    } else if (stages.length === 0) {
      if (keyword === 'ARG') {
        const [key = '', value = ''] = args.split('=');
        globalArgs.set(key, value);
      }
    } else stages[stages.length - 1]?.instructions.push({ keyword, args });
  }
  return { globalArgs, stages };
}

/** ARG defaults of a stage (a bare `ARG X` re-imports the global default). */
export function stageArgs(file: Dockerfile, stage: Stage): Map<string, string> {
  const args = new Map<string, string>();
  for (const i of stage.instructions) {
    if (i.keyword !== 'ARG') continue;
    const [key = '', value] = i.args.split('=');
    args.set(key, value ?? file.globalArgs.get(key) ?? '');
  }
  return args;
}

/** `ENV A=1 B=2` pairs of a stage, later ones winning. */
export function stageEnv(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const i of stage.instructions) {
    if (i.keyword !== 'ENV') continue;
    for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) if (m[1]) env.set(m[1], m[2] ?? '');
  }
  return env;
}

/** The packages of every `apt-get install` in a stage. */
export function aptPackages(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'RUN')
    .flatMap((i) => [...i.args.matchAll(/apt-get install((?:\s+[^\s&|;]+)+)/g)])
    .flatMap((m) => (m[1] ?? '').trim().split(/\s+/))
    .filter((p) => !p.startsWith('-'));
}

export function runs(stage: Stage): string[] {
  return stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
}
