import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir } from '@headstart/testing';
import type { TempDir } from '@headstart/testing';
import { extractSubjectAndBody } from './email';
import { parseEntity } from './mime';
import { seededShuffle } from './seeded-order';
import { loadSpamAssassin } from './sources';
import type { RawEmail } from './sources';
import { buildSpamAssassinTask, SPAM_ASSASSIN_FILE } from './spam-assassin';
import type { SpamAssassinRecord } from './spam-assassin';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('datasets-spam');
});
afterEach(() => dir.remove());

const mail = (group: string, id: string, subject: string, body: string): RawEmail => ({
  id,
  group,
  text: `From x@y.z Thu Aug 22 2002\nReceived: from relay-${id}\nX-Mailer: m\nSubject: ${subject}\n\n${body}`,
});

async function readRecords(outDir: string): Promise<SpamAssassinRecord[]> {
  const text = await fs.readFile(path.join(outDir, SPAM_ASSASSIN_FILE), 'utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as SpamAssassinRecord);
}

/** Distinct letter tags ('a', 'b' ... 'ba'): digits would be folded together by near-duplicate keys. */
const tag = (i: number): string =>
  (i < 26 ? '' : tag(Math.floor(i / 26) - 1)) + String.fromCharCode(97 + (i % 26));

// Longer than the 200 characters near-duplicate keys look at.
const PITCH = 'Our amazing product changes lives. '.repeat(7);

describe('buildSpamAssassinTask on synthetic mail', () => {
  const emails: RawEmail[] = [
    ...Array.from({ length: 40 }, (_, i) =>
      mail('easy-ham-1', `h1-${i}`, `meeting ${tag(i)}`, `Notes for meeting ${tag(i)}.`),
    ),
    ...Array.from({ length: 20 }, (_, i) =>
      mail('spam-1', `s1-${i}`, `offer ${tag(i)}`, `Buy product ${'x'.repeat(i)}! ${PITCH}`),
    ),
    ...Array.from({ length: 30 }, (_, i) =>
      mail('easy-ham-2', `h2-${i}`, `lunch ${tag(i)}`, `Lunch plans number ${tag(i)}.`),
    ),
    ...Array.from({ length: 10 }, (_, i) =>
      mail('spam-2', `s2-${i}`, `deal ${tag(i)}`, `Cheap pills ${'y'.repeat(i)}.`),
    ),
    mail('spam-2', 'exact-copy', 'offer d', `Buy product xxx! ${PITCH}`), // exact copy of spam-1/s1-3
    mail(
      'spam-2',
      'near-copy',
      'RE: Offer E',
      `Buy product xxxx!!! ${PITCH} Act today, the offer ends soon.`,
    ), // near copy of s1-4
    mail('easy-ham-2', 'empty', 'nothing', '   '),
  ];

  it('drops empty, exact and near duplicates (keeping the earlier copy) and records both splits', async () => {
    const { stats } = await buildSpamAssassinTask({ outDir: dir.path, seed: 1, emails });
    const records = await readRecords(dir.path);
    expect(stats.rawEmails).toBe(103);
    expect(stats.dropped).toEqual({ emptyBody: 1, exactDuplicates: 1, nearDuplicates: 1 });
    expect(records).toHaveLength(100);
    expect(records.map((r) => r.id)).not.toContain('spam-2/exact-copy');
    expect(records.map((r) => r.id)).toContain('spam-1/s1-3');
    expect(stats.classBalance).toEqual({ ham: 70, spam: 30 });

    const bySplit = (field: 'split' | 'time_split', value: string): SpamAssassinRecord[] =>
      records.filter((r) => r[field] === value);
    expect(bySplit('split', 'train')).toHaveLength(70);
    expect(bySplit('split', 'dev')).toHaveLength(10);
    expect(bySplit('split', 'test')).toHaveLength(20);
    expect(bySplit('time_split', 'test').every((r) => r.group.endsWith('-2'))).toBe(true);
    expect(bySplit('time_split', 'test')).toHaveLength(40);
    expect(bySplit('time_split', 'dev')).toHaveLength(6);
    expect(records.every((r) => r.label === (r.group.startsWith('spam') ? 'spam' : 'ham'))).toBe(true);
  });

  it('writes only Subject and body', async () => {
    await buildSpamAssassinTask({ outDir: dir.path, seed: 1, emails });
    const [first] = await readRecords(dir.path);
    expect(first?.text).toBe('Subject: meeting a\nNotes for meeting a.');
    expect(Object.keys(first ?? {})).toEqual(['id', 'text', 'label', 'group', 'split', 'time_split']);
  });

  it('is byte-identical across runs and input orders', async () => {
    const a = await buildSpamAssassinTask({ outDir: path.join(dir.path, 'a'), seed: 5, emails });
    const b = await buildSpamAssassinTask({
      outDir: path.join(dir.path, 'b'),
      seed: 5,
      emails: [...emails].reverse(),
    });
    const c = await buildSpamAssassinTask({ outDir: path.join(dir.path, 'c'), seed: 6, emails });
    expect(b.sha256).toBe(a.sha256);
    expect(c.sha256).not.toBe(a.sha256);
  });
});

describe('SpamAssassin headers on a sample of the real corpus', () => {
  // Loading the package's 6,046 emails takes about two seconds.
  let sample: RawEmail[] = [];
  beforeAll(() => {
    sample = seededShuffle(loadSpamAssassin(), 11, (e) => `${e.group}/${e.id}`).slice(0, 400);
  });
  const PASTED_HEADER =
    /^[\s>|]*(received|return-path|delivered-to|message-id|mime-version|content-type|content-transfer-encoding|x-[a-z0-9-]+|list-[a-z]+|errors-to|sender|precedence):/i;

  it('keeps no header line but Subject in the extracted bodies', () => {
    for (const email of sample) {
      const { body } = extractSubjectAndBody(email.text);
      for (const line of body.split('\n')) expect(line).not.toMatch(PASTED_HEADER);
    }
  });

  it("never carries a message's own identifying headers into the task text", async () => {
    await buildSpamAssassinTask({ outDir: dir.path, seed: 1, emails: sample });
    const records = new Map((await readRecords(dir.path)).map((r) => [r.id, r]));
    expect(records.size).toBeGreaterThan(350);
    for (const email of sample) {
      const record = records.get(`${email.group}/${email.id}`);
      if (!record) continue;
      const headers = parseEntity(email.text).headers;
      expect(record.text.startsWith('Subject: ')).toBe(true);
      const messageId = headers.get('message-id');
      if (messageId && messageId.length > 12) expect(record.text).not.toContain(messageId);
      const received = headers.get('received');
      if (received) expect(record.text).not.toContain(received.slice(0, 60));
      expect(record.text).not.toMatch(/\bReceived: from\b|\bReturn-Path: <|\bDelivered-To: /);
    }
  });
});
