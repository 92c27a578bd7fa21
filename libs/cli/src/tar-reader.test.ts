import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Code, HeadstartError } from '@headstart/errors';
import { makeTempDir } from '@headstart/testing';
import { readTarFiles, safeEntryPath } from './tar-reader';

/** One ustar header (and its padded data) as a writer would make it; `type` '0' is a regular file. */
function entry(name: string, data: string, type = '0', prefix = ''): Buffer {
  const header = Buffer.alloc(512);
  const body = Buffer.from(data);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write(type, 156);
  header.write('ustar\0' + '00', 257);
  header.write(prefix, 345);
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, padding]);
}

const tar = (...entries: Buffer[]): Buffer => Buffer.concat([...entries, Buffer.alloc(1024)]);
const text = (data: Uint8Array): string => Buffer.from(data).toString('utf8');

function refusal(work: () => unknown): HeadstartError {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(HeadstartError);
    expect((err as HeadstartError).code).toBe(Code.DATA_LOSS);
    return err as HeadstartError;
  }
  throw new Error('expected a refusal');
}

describe('readTarFiles', () => {
  it('reads regular files in order, joining the ustar prefix and skipping directories', () => {
    const files = readTarFiles(
      tar(
        entry('study.json', '{"a":1}'),
        entry('figures/', '', '5'),
        entry('curve.svg', '<svg/>', '0', 'figures'),
        entry('./report.md', 'x'.repeat(700)),
      ),
    );
    expect(files.map((f) => f.path)).toEqual(['study.json', 'figures/curve.svg', 'report.md']);
    expect(text(files[0]!.data)).toBe('{"a":1}');
    expect(files[2]!.data.length).toBe(700);
  });

  it('reads what GNU or BSD tar writes in ustar format', async () => {
    const dir = await makeTempDir('cli-tar');
    try {
      await fs.mkdir(path.join(dir.path, 'in', 'figures'), { recursive: true });
      await fs.writeFile(path.join(dir.path, 'in', 'report.md'), '# Study\n');
      await fs.writeFile(path.join(dir.path, 'in', 'figures', 'f.svg'), '<svg/>');
      const archive = path.join(dir.path, 'r.tar');
      execFileSync('tar', ['--format=ustar', '-cf', archive, '-C', path.join(dir.path, 'in'), '.']);
      const files = readTarFiles(await fs.readFile(archive));
      expect(files.map((f) => f.path).sort()).toEqual(['figures/f.svg', 'report.md']);
    } finally {
      await dir.remove();
    }
  });

  it.each([
    ['an absolute name', entry('/etc/passwd', 'x'), /absolute/],
    ['a parent segment', entry('../evil', 'x'), /outside the directory/],
    ['a parent segment in the prefix', entry('evil', 'x', '0', 'a/../..'), /outside the directory/],
    ['a backslash', entry('..\\evil', 'x'), /non-POSIX/],
    ['a symbolic link', entry('link', '', '2'), /not a regular file \(type '2'\)/],
    ['a pax header', entry('PaxHeader', 'x', 'x'), /not a regular file/],
  ])('refuses %s', (_what, bad, message) => {
    expect(refusal(() => readTarFiles(tar(entry('ok.md', 'fine'), bad))).message).toMatch(message);
  });

  it('refuses a bad checksum, a truncated archive and a repeated name', () => {
    const damaged = tar(entry('a.md', 'a'));
    damaged[0] = 0x62; // 'a' → 'b' without fixing the checksum
    expect(refusal(() => readTarFiles(damaged)).message).toMatch(/bad checksum/);
    expect(refusal(() => readTarFiles(entry('a.md', 'a'))).message).toMatch(/truncated/);
    expect(refusal(() => readTarFiles(entry('a.md', 'a'.repeat(600)).subarray(0, 700))).message).toMatch(
      /truncated/,
    );
    expect(refusal(() => readTarFiles(tar(entry('a.md', 'a'), entry('./a.md', 'b')))).message).toMatch(
      /"a.md" appears twice/,
    );
  });
});

describe('safeEntryPath', () => {
  it('normalises harmless names and refuses empty ones', () => {
    expect(safeEntryPath('./figures//a.svg')).toBe('figures/a.svg');
    expect(() => safeEntryPath('./')).toThrow(/empty name/);
    expect(() => safeEntryPath('C:evil')).toThrow(/absolute/);
  });
});
