import { capLength, cleanEmail, normalizeForNearDuplicates } from './spam-text';

describe('cleanEmail', () => {
  it('formats Subject and body on two lines with whitespace collapsed', () => {
    const clean = cleanEmail(
      'Subject:  Hello\n   world\nX-Mailer: y\n\nLine one\n\n\tLine\u00a0two \ufffd\u0007end',
    );
    expect(clean.text).toBe('Subject: Hello world\nLine one Line two end');
    expect(clean.truncated).toBe(false);
    expect(clean.emptyBody).toBe(false);
  });

  it('caps long texts on a word boundary and remembers the full text', () => {
    const clean = cleanEmail(`Subject: s\n\n${'word '.repeat(1000)}`, 100);
    expect(clean.text.length).toBeLessThanOrEqual(100);
    expect(clean.text.endsWith('word')).toBe(true);
    expect(clean.truncated).toBe(true);
    expect(clean.fullText.length).toBeGreaterThan(4000);
  });

  it('gives campaign variants the same near-duplicate key', () => {
    const a = cleanEmail(
      'Subject: Re: Your order #12345\n\nDear John, your order 12345 has SHIPPED! Track it now.',
    );
    const b = cleanEmail('Subject: your ORDER #98\n\nDear John,  your order 98 has shipped... track it now');
    const c = cleanEmail('Subject: Your order #98\n\nDear Mary, your order 98 has shipped.');
    expect(a.nearDuplicateKey).toBe(b.nearDuplicateKey);
    expect(c.nearDuplicateKey).not.toBe(a.nearDuplicateKey);
  });

  it('flags an empty body', () => {
    expect(cleanEmail('Subject: only a subject\n\n   \n').emptyBody).toBe(true);
  });
});

describe('capLength', () => {
  it('leaves short text alone and never splits a surrogate pair', () => {
    expect(capLength('short', 10)).toBe('short');
    expect(capLength('ab😀cd', 3)).toBe('ab');
    expect(capLength('abcdefghij', 5)).toBe('abcde');
  });
});

describe('normalizeForNearDuplicates', () => {
  it('lowercases, folds digits and drops punctuation', () => {
    expect(normalizeForNearDuplicates('ＦＲＥＥ!!  Call 555-1234 now')).toBe('free call 0 0 now');
  });
});
