import * as fs from 'node:fs/promises';
import { ExitCode } from './exit-codes';
import { cliTestRunner } from './cli-test-runner';
import { useFinetuneTestStack } from './finetune-test-stack';

/* A user's bad labelled file, against a real registry, finetune API, worker and nats-server: the CLI
   refuses it before uploading (exit 4, the line and the fix, no version registered), and when it got in
   another way (uploaded without saying it is a labelled file) the finetune service refuses it with
   INVALID_ARGUMENT at StartFinetune, StartStudy and CreateTrigger. */

jest.setTimeout(180_000);

const stack = useFinetuneTestStack('cli-bad-dataset');

const { cli, cliJson } = cliTestRunner(() => ({
  defaultRegistry: stack().registry.address,
  defaultFinetune: stack().service.address,
}));

const good = (i: number) => [`free cash prize ${i}`, i % 2 ? 'spam' : 'ham'] as const;
const csvRows = (n: number) => Array.from({ length: n }, (_, i) => good(i).join(','));
const jsonRows = (n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ text: good(i)[0], label: good(i)[1] }));

interface BadFile {
  name: string;
  ext: 'csv' | 'jsonl';
  content: Buffer;
  /** What the CLI prints after `headstart: FILE: `. */
  cli: string;
  /** What the finetune service says when the file got in anyway (undefined: not checked there). */
  service?: RegExp;
}

const FIELDS_FIX =
  'upload with --meta text_field=NAME --meta label_field=NAME and fine-tune with --text-field NAME --label-field NAME';

const cases: BadFile[] = [
  {
    name: 'wrong-columns',
    ext: 'csv',
    content: Buffer.from(['body,category', ...csvRows(20)].join('\n')),
    cli:
      'line 1: the header has columns "body", "category"; expected "text" and "label" (missing "text", ' +
      `"label"); rename the columns (the first line is the header) to "text" and "label", or name yours: ${FIELDS_FIX}`,
    service:
      /unknown text field "text": the dataset's fields are body, category; name the text field with --text-field/,
  },
  {
    name: 'missing-field',
    ext: 'jsonl',
    content: Buffer.from([...jsonRows(3), '{"text":"no label here"}', ...jsonRows(16)].join('\n')),
    cli:
      'line 4 has fields "text"; expected "text" and "label" (missing "label"); give every line both ' +
      `fields, or name yours: ${FIELDS_FIX}`,
  },
  {
    name: 'empty-label',
    ext: 'csv',
    content: Buffer.from(['text,label', ...csvRows(5), 'a ticket with no label,', ...csvRows(14)].join('\n')),
    cli: 'line 7: the "label" field is empty; give every row a label (a string or a number), or remove the unlabelled rows',
  },
  {
    name: 'one-class',
    ext: 'csv',
    content: Buffer.from(
      ['text,label', ...Array.from({ length: 20 }, (_, i) => `ticket ${i},billing`)].join('\n'),
    ),
    cli: 'one class only: all 20 rows have label "billing"; a classifier needs at least two labels: add rows of another class',
    service:
      /single-class dataset: the 16 training examples all have label "billing"; a classifier needs at least two classes/,
  },
  {
    name: 'not-utf8',
    ext: 'csv',
    content: Buffer.concat([
      Buffer.from(['text,label', ...csvRows(4), 'caf'].join('\n')),
      Buffer.from([0xe9]),
      Buffer.from([' bill,billing', ...csvRows(15)].join('\n')),
    ]),
    // 'text,label\n' is 11 bytes, each row "free cash prize i,ham" or ",spam" 22 or 23 bytes with its newline.
    cli:
      'line 6: byte 4 of the line (offset 104 in the file) is not UTF-8 (0xe9); save the file as UTF-8 ' +
      '(e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`)',
    service:
      /^dataset line 6: byte 4 of the line \(offset 104 in the file\) is not UTF-8 \(0xe9\); save the file/,
  },
  {
    name: 'malformed-json',
    ext: 'jsonl',
    content: Buffer.from([...jsonRows(8), '{"text": "half a line", "label": ', ...jsonRows(12)].join('\n')),
    cli: expect.stringMatching(/^line 9 is not JSON \(.+\); /) as unknown as string,
    service: /^dataset line 9 is not JSON \(.+\); write one JSON object per line/,
  },
];

/** Nothing half-registered: no version of the name, and no model of it. */
async function expectNothingRegistered(name: string): Promise<void> {
  expect((await cli('get', name)).code).toBe(ExitCode.NOT_FOUND);
  const { versions } = await cliJson<{ versions: unknown[] }>('versions', 'ls', name);
  expect(versions).toEqual([]);
  const { models } = await cliJson<{ models: { name: string }[] }>('models', 'ls');
  expect(models.map((m) => m.name)).not.toContain(name);
}

async function uploadBase(): Promise<void> {
  const file = stack().file;
  expect((await cli('upload', 'tok', file('tokenizer.json'), '--kind', 'tokenizer')).code).toBe(0);
  const base = await cli(
    'upload',
    'bert',
    file('checkpoint.tar'),
    '--kind',
    'base_model',
    '--parent',
    'tok:1:tokenized_with',
  );
  expect(base.code).toBe(0);
}

beforeAll(async () => {
  await uploadBase();
  for (const c of cases) await fs.writeFile(stack().file(`${c.name}.${c.ext}`), c.content);
});

describe('a bad labelled file', () => {
  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: the CLI refuses it before uploading, naming the line and the fix; nothing is registered',
    async (_name, c) => {
      const file = stack().file(`${c.name}.${c.ext}`);
      const run = await cli('upload', c.name, file, '--kind', 'dataset', '--meta', `format=${c.ext}`);
      expect(run.code).toBe(ExitCode.REFUSED);
      expect(run.stdout).toBe('');
      if (typeof c.cli === 'string') {
        expect(run.stderr).toBe(`headstart: ${file}: ${c.cli} (nothing was uploaded) (INVALID_ARGUMENT)\n`);
      } else {
        expect(run.stderr.slice(`headstart: ${file}: `.length)).toEqual(c.cli);
        expect(run.stderr).toMatch(/ \(nothing was uploaded\) \(INVALID_ARGUMENT\)\n$/);
      }
      await expectNothingRegistered(c.name);
    },
  );

  it('--json carries the line, byte offset and kind of problem as details', async () => {
    const file = stack().file('not-utf8.csv');
    const run = await cli('--json', 'upload', 'x', file, '--kind', 'dataset', '--meta', 'format=csv');
    expect(run.code).toBe(ExitCode.REFUSED);
    expect(JSON.parse(run.stderr)).toMatchObject({
      error: {
        code: 'INVALID_ARGUMENT',
        details: { field: 'file', problem: 'not-utf8', line: '6', byte_offset: '104' },
      },
    });
  });

  it('a line over 100 MiB is refused naming the line and the limit', async () => {
    const file = stack().file('long-line.csv');
    const out = await fs.open(file, 'w');
    try {
      await out.write('text,label\nshort,a\nshort,b\n');
      const mib = Buffer.alloc(1024 ** 2, 0x61);
      for (let i = 0; i <= 100; i++) await out.write(mib);
      await out.write(',a\n');
    } finally {
      await out.close();
    }
    const run = await cli('upload', 'long-line', file, '--kind', 'dataset');
    expect(run.code).toBe(ExitCode.REFUSED);
    expect(run.stderr).toBe(
      `headstart: ${file}: line 4 is longer than the limit of 100 MiB; put one example per line ` +
        '(is the file a labelled CSV or JSONL with line breaks?) (nothing was uploaded) (INVALID_ARGUMENT)\n',
    );
    await expectNothingRegistered('long-line');
    await fs.rm(file);
  });

  const inService = cases.filter((c) => c.service !== undefined);
  it.each(inService.map((c) => [c.name, c] as const))(
    '%s, uploaded without the check: StartFinetune, StartStudy and CreateTrigger refuse it',
    async (_name, c) => {
      // Not said to be a labelled file (no format, no .csv/.jsonl name): the CLI uploads it as is.
      const name = `${c.name}-unchecked`;
      const copy = stack().file(`${name}.data`);
      await fs.writeFile(copy, c.content);
      expect((await cli('upload', name, copy, '--kind', 'dataset')).code).toBe(ExitCode.OK);
      const pattern = c.service as RegExp;
      const refusedWith = (run: { code: number; stderr: string }) => {
        expect(run.code).toBe(ExitCode.REFUSED);
        expect(run.stderr).toMatch(/^headstart: /);
        expect(run.stderr.replace(/^headstart: /, '')).toMatch(pattern);
        expect(run.stderr).toMatch(/\(INVALID_ARGUMENT\)\n$/);
      };
      refusedWith(await cli('finetune', 'start', '--base', 'bert', '--dataset', name, '--detach'));
      refusedWith(await cli('study', 'start', 'bert', name, '--budgets', '4,all', '--seeds', '2'));
      refusedWith(await cli('triggers', 'create', 'bert', '--dataset', name, '--on', 'final'));
      // Nothing was started: no job, no trigger.
      expect((await cli('finetune', 'ls', '--base', 'bert')).stdout).not.toContain(name);
      expect((await cli('triggers', 'ls')).stdout).not.toContain(name);
    },
  );
});
