import { extractSubjectAndBody, removeHeaderBlocks, splitMultipart } from './email';
import { decodeEncodedWords, decodeQuotedPrintable, parseContentType, parseEntity } from './mime';

const HEADERS = [
  'From spammer@example.com  Thu Aug 22 12:36:23 2002',
  'Return-Path: <list-admin@lists.example.org>',
  'Received: from mail.example.org (mail.example.org [10.0.0.1])',
  '\tby mx.example.net (Postfix) with ESMTP id D03E543C36',
  'From: "Jane" <jane@example.com>',
  'To: list@lists.example.org',
  'Subject: Re: Cheap',
  '  meds now',
  'Message-Id: <1234.5678@example.com>',
  'X-Mailer: Microsoft Outlook Express 6.00',
  'X-Spam-Status: No',
  'List-Id: <list.example.org>',
];

describe('extractSubjectAndBody', () => {
  it('keeps the unfolded Subject and the body, dropping every other header', () => {
    const raw = [...HEADERS, '', 'Hello there,', '', 'this is the body.'].join('\n');
    const { subject, body } = extractSubjectAndBody(raw);
    expect(subject).toBe('Re: Cheap meds now');
    expect(body).toBe('Hello there,\n\nthis is the body.');
  });

  it('prefers text/plain in multipart/alternative and decodes quoted-printable in its charset', () => {
    const raw = [
      'Subject: =?iso-8859-1?Q?Caf=E9_offer?=',
      'Content-Type: multipart/alternative; boundary="XYZ"',
      '',
      'preamble',
      '--XYZ',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=E9 au lait, soft=',
      'break.',
      '--XYZ',
      'Content-Type: text/html',
      '',
      '<p>HTML version</p>',
      '--XYZ--',
      'epilogue',
    ].join('\n');
    expect(extractSubjectAndBody(raw)).toEqual({ subject: 'Café offer', body: 'Café au lait, softbreak.' });
  });

  it('walks multipart/mixed: strips HTML, decodes base64, skips images and forwarded headers', () => {
    const html = Buffer.from('<html><body><b>Win</b> a &pound;1000 prize!</body></html>').toString('base64');
    const raw = [
      'Subject: prize',
      'Content-Type: multipart/mixed; boundary=b1',
      '',
      '--b1',
      'Content-Type: text/html; charset="utf-8"',
      'Content-Transfer-Encoding: base64',
      '',
      html,
      '--b1',
      'Content-Type: image/gif',
      'Content-Transfer-Encoding: base64',
      '',
      'R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=',
      '--b1',
      'Content-Type: message/rfc822',
      '',
      'From: someone@example.com',
      'Received: from x by y',
      'Subject: inner',
      '',
      'Forwarded text.',
      '--b1--',
    ].join('\n');
    const { subject, body } = extractSubjectAndBody(raw);
    expect(subject).toBe('prize');
    expect(body.replace(/\s+/g, ' ').trim()).toBe('Win a £1000 prize! Forwarded text.');
  });

  it('strips HTML sent as text/plain', () => {
    const raw =
      'Subject: s\nContent-Type: text/plain\n\n<html><body><p>Click <a href="http://x">here</a></p></body></html>';
    expect(extractSubjectAndBody(raw).body.trim()).toBe('Click here');
  });

  it('keeps the body of a malformed message whose headers run into the text', () => {
    const raw = 'Subject: hi\nThis line is not a header\nnor this one';
    expect(extractSubjectAndBody(raw)).toEqual({
      subject: 'hi',
      body: 'This line is not a header\nnor this one',
    });
  });
});

describe('removeHeaderBlocks', () => {
  it('drops pasted technical headers and quoted reply-header blocks, keeping prose', () => {
    const body = [
      'I agree.',
      '-----Original Message-----',
      'From: ilug-admin@linux.ie [mailto:ilug-admin@linux.ie]On Behalf Of Peter',
      'Staunton',
      'Sent: 22 August 2002 19:58',
      'To: ilug@linux.ie',
      'Subject: [ILUG] Newbie',
      '',
      '> Received: from relay by host',
      '>     (8.11.6) id 42',
      '> X-Mailer: Pine',
      '> Quoted prose stays.',
      'Note: a single field-like line stays.',
      'From: a lone From line in prose stays too',
    ].join('\n');
    expect(removeHeaderBlocks(body).split('\n')).toEqual([
      'I agree.',
      '-----Original Message-----',
      '',
      '> Quoted prose stays.',
      'Note: a single field-like line stays.',
      'From: a lone From line in prose stays too',
    ]);
  });
});

describe('MIME helpers', () => {
  it('parses content types with quoted parameters and defaults to text/plain', () => {
    const ct = parseContentType('Multipart/Mixed; boundary="----=_NextPart_000"; charset=US-ASCII');
    expect(ct.type).toBe('multipart/mixed');
    expect(ct.params.get('boundary')).toBe('----=_NextPart_000');
    expect(parseContentType(undefined).type).toBe('text/plain');
    expect(parseContentType('garbage').type).toBe('text/plain');
  });

  it('decodes RFC 2047 words (B and Q, adjacent words joined) and quoted-printable', () => {
    expect(decodeEncodedWords('=?utf-8?B?SGVsbG8g?= =?utf-8?Q?w=C3=B6rld?= !')).toBe('Hello wörld !');
    expect(Buffer.from(decodeQuotedPrintable('a=3Db=\nc =20\n')).toString('latin1')).toBe('a=bc  \n');
  });

  it('splits multipart bodies without preamble or epilogue', () => {
    expect(splitMultipart('pre\n--b\nA\n--b\nB\n--b--\npost', 'b')).toEqual(['A', 'B']);
  });

  it('unfolds headers, keeps the first of repeated fields and skips the mbox From line', () => {
    const entity = parseEntity('From x@y  Mon\nSubject: one\n two\nSubject: again\n\nbody');
    expect(entity.headers.get('subject')).toBe('one two');
    expect(entity.headers.has('from x@y  mon')).toBe(false);
    expect(entity.body).toBe('body');
  });
});
