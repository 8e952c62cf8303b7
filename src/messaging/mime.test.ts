import { createHash, generateKeyPairSync, type KeyObject, createPublicKey, verify } from 'node:crypto';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage, composeWithNodemailer, MailHeaderError, type MailToCompose, rfc5322Date, signDkim } from './mime.ts';

/** composeMessage against an independent reader (mailparser) and an independent writer (nodemailer's MailComposer). */

const UNSUBSCRIBE = {
  'List-Unsubscribe': '<https://crm.example.jp/u/abc123>',
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
};

/** An advertising mail as sendEmail composes it: Japanese sender name, subject, text and HTML, the RFC 8058 headers. */
const japanese: MailToCompose = {
  from: { name: 'みのり青汁本舗', address: 'news@minori.example.jp' },
  replyTo: 'support@minori.example.jp',
  to: 'hanako@example.jp',
  subject:
    '【みのり青汁本舗】山田 花子様、お届けから14日が経ちました🍵 毎朝の一杯は続いていますか？飲み方のコツと、定期便を半額でお試しいただけるご案内をお届けします',
  text: '山田 花子様\n\nお届けから14日が経ちました。\n毎朝の一杯は続いていますか？\n\n配信停止: https://crm.example.jp/u/abc123',
  html: '<html><body>\n<p>山田 花子様</p>\n<p>お届けから<strong>14日</strong>が経ちました。🍵</p>\n</body></html>',
  messageId: '<send-send=3A41=3Aday14@minori.example.jp>',
  date: new Date('2026-12-07T17:00:05Z'),
  headers: UNSUBSCRIBE,
};

function addresses(value: AddressObject | AddressObject[] | undefined): Array<{ name: string; address: string | undefined }> {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return objects.flatMap((object) => object.value.map(({ name, address }) => ({ name, address })));
}

/** A header field's value as it was written, unfolded (RFC 5322 §2.2.3), or undefined when the message has none. */
function headerValue(parsed: ParsedMail, name: string): string | undefined {
  const line = parsed.headerLines.find((header) => header.key === name.toLowerCase())?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .trim();
}

/** What a reader sees of a message: the fields that matter to a recipient and to the mailbox provider. */
function reading(parsed: ParsedMail) {
  return {
    subject: parsed.subject,
    from: addresses(parsed.from),
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    text: parsed.text,
    html: parsed.html,
    messageId: parsed.messageId,
    date: parsed.date?.toISOString(),
    listUnsubscribe: headerValue(parsed, 'List-Unsubscribe'),
    listUnsubscribePost: headerValue(parsed, 'List-Unsubscribe-Post'),
    list: parsed.headers.get('list'),
  };
}

function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

describe('composeMessage read back by mailparser', () => {
  it('gives back the subject, sender, recipients, text, HTML, Message-ID, Date and List-Unsubscribe headers of a Japanese mail, as MailComposer’s message does', async () => {
    const ours = reading(await simpleParser(await composeMessage(japanese)));
    expect(ours).toEqual({
      subject: japanese.subject,
      from: [{ name: 'みのり青汁本舗', address: 'news@minori.example.jp' }],
      replyTo: [{ name: '', address: 'support@minori.example.jp' }],
      to: [{ name: '', address: 'hanako@example.jp' }],
      text: japanese.text,
      html: japanese.html,
      messageId: '<send-send=3A41=3Aday14@minori.example.jp>',
      date: '2026-12-07T17:00:05.000Z',
      listUnsubscribe: '<https://crm.example.jp/u/abc123>',
      listUnsubscribePost: 'List-Unsubscribe=One-Click',
      list: { unsubscribe: { url: 'https://crm.example.jp/u/abc123' }, 'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' } },
    });
    const reference = reading(await simpleParser(await composeWithNodemailer(japanese)));
    expect(ours).toEqual(reference);
  });

  it('reads CRLF and LF line breaks of the text as the same lines', async () => {
    const crlf = await simpleParser(await composeMessage({ ...japanese, text: '一行目\r\n二行目\r\n\r\n四行目' }));
    const lf = await simpleParser(await composeMessage({ ...japanese, text: '一行目\n二行目\n\n四行目' }));
    expect(crlf.text).toBe('一行目\n二行目\n\n四行目');
    expect(lf.text).toBe(crlf.text);
  });

  it('writes the text part in canonical form: CRLF line breaks before base64', async () => {
    const raw = (await composeMessage({ ...japanese, html: null, text: '一行目\n二行目\r\n三行目' })).toString('latin1');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    expect(Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8')).toBe('一行目\r\n二行目\r\n三行目');
  });

  it('writes a text-only message (html null) as a single text/plain part', async () => {
    const raw = await composeMessage({ ...japanese, html: null });
    const parsed = await simpleParser(raw);
    expect(parsed.text).toBe(japanese.text);
    expect(parsed.html).toBe(false);
    expect(parsed.attachments).toEqual([]);
    expect(headerValue(parsed, 'Content-Type')).toBe('text/plain; charset=utf-8');
    expect(raw.toString('latin1')).not.toMatch(/multipart/i);
    expect(reading(parsed)).toEqual(reading(await simpleParser(await composeWithNodemailer({ ...japanese, html: null }))));
  });

  it('writes a multipart/alternative of exactly a text/plain and a text/html part when there is HTML', async () => {
    const raw = (await composeMessage(japanese)).toString('latin1');
    const parsed = await simpleParser(raw);
    const contentType = parsed.headers.get('content-type') as { value: string; params: { boundary: string } };
    expect(contentType.value).toBe('multipart/alternative');
    const parts = raw.split(`--${contentType.params.boundary}`);
    // preamble, text, html, closing "--"
    expect(parts).toHaveLength(4);
    expect(parts[1]).toMatch(/^\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
    expect(parts[2]).toMatch(/^\r\nContent-Type: text\/html; charset=utf-8\r\n/);
    expect(parts[3]).toBe('--\r\n');
    expect(parsed.attachments).toEqual([]);
  });

  it.each([
    ['a display name with quotes and a comma', 'Minori "Aojiru", Inc.'],
    ['a display name with a backslash', 'Minori \\ Aojiru'],
    ['a display name with a dot and parentheses', 'Minori Co. (Tokyo)'],
    ['a display name with a colon, semicolon and angle brackets', 'Sale: <today>; only'],
  ])('round-trips %s', async (_, name) => {
    const mail: MailToCompose = { ...japanese, from: { name, address: 'news@minori.example.jp' } };
    const parsed = await simpleParser(await composeMessage(mail));
    expect(addresses(parsed.from)).toEqual([{ name, address: 'news@minori.example.jp' }]);
    expect(addresses(parsed.to)).toEqual([{ name: '', address: 'hanako@example.jp' }]);
  });

  it('writes a sender without a display name as the bare address', async () => {
    const parsed = await simpleParser(await composeMessage({ ...japanese, from: { name: '', address: 'news@minori.example.jp' } }));
    expect(addresses(parsed.from)).toEqual([{ name: '', address: 'news@minori.example.jp' }]);
    expect(headerValue(parsed, 'From')).toBe('news@minori.example.jp');
  });

  it.each([
    ['a non-ASCII local part and domain', '山田@例え.jp', '山田@例え.jp'],
    ['an internationalised domain', 'hanako@例え.jp', 'hanako@例え.jp'],
    ['a quoted local part', '"hanako yamada"@example.jp', '"hanako yamada"@example.jp'],
  ])('writes a recipient with %s through MailComposer, read back as that recipient with the rest of the mail intact', async (_, to, address) => {
    const raw = await composeMessage({ ...japanese, to });
    const parsed = await simpleParser(raw);
    expect(addresses(parsed.to)).toEqual([{ name: '', address }]);
    const { to: _to, ...rest } = reading(parsed);
    const { to: _expectedTo, ...expected } = reading(await simpleParser(await composeMessage(japanese)));
    expect(rest).toEqual(expected);
  });

  it('writes an internationalised domain as punycode in the To header', async () => {
    const raw = await composeMessage({ ...japanese, to: 'hanako@例え.jp' });
    expect(headerBlock(raw)).toMatch(/^To: hanako@xn--r8jz45g\.jp$/m);
  });
});

describe('composeMessage line format', () => {
  const longAscii: MailToCompose = {
    ...japanese,
    from: { name: 'Minori Aojiru Honpo Customer Care and Subscription Service Center Tokyo', address: 'news@minori.example.jp' },
    subject: 'Spring sale: every subscription plan of Minori Aojiru is half price until the end of March, order today and save',
  };
  const longJapaneseName: MailToCompose = {
    ...japanese,
    from: { name: 'みのり青汁本舗株式会社 お客様サポートセンター 定期便受付係', address: 'news@minori.example.jp' },
  };

  it.each([
    ['a Japanese mail', japanese],
    ['a mail with a long ASCII subject and display name', longAscii],
    ['a mail with a long Japanese display name', longJapaneseName],
    ['a text-only mail', { ...japanese, html: null }],
  ])('writes %s as pure ASCII lines of at most 78 characters, each ending in CRLF', async (_, mail) => {
    const raw = await composeMessage(mail);
    expect([...raw].every((byte) => byte < 0x80)).toBe(true);
    const text = raw.toString('latin1');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const tooLong = text
      .split('\r\n')
      .slice(0, -1)
      .filter((line) => line.length > 78);
    expect(tooLong).toEqual([]);
    // the folded lines still read back as the values
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(mail.subject);
    expect(addresses(parsed.from)).toEqual([mail.from]);
  });

  it('writes every encoded-word within 75 characters and with whole characters only (RFC 2047 §2, §5)', async () => {
    const header = headerBlock(await composeMessage(longJapaneseName));
    const words = header.match(/=\?[^?]+\?[BbQq]\?[^?]*\?=/g) ?? [];
    // the sender name and the subject, each in several words
    expect(words.length).toBeGreaterThan(4);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      const [, charset, encoding, payload] = word.match(/^=\?([^?]+)\?([BbQq])\?([^?]*)\?=$/)!;
      expect(charset!.toLowerCase()).toBe('utf-8');
      expect(encoding!.toUpperCase()).toBe('B');
      // each word decodes on its own: no UTF-8 sequence is split between two words
      expect(() => decoder.decode(Buffer.from(payload!, 'base64'))).not.toThrow();
    }
  });

  it('keeps a List-Unsubscribe URL longer than a line whole, within the 998-character limit, and reads it back exactly', async () => {
    const url = `https://crm.example.jp/u/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a.0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.1765126805.${'x'.repeat(43)}`;
    const raw = await composeMessage({ ...japanese, headers: { ...UNSUBSCRIBE, 'List-Unsubscribe': `<${url}>` } });
    const lines = raw.toString('latin1').split('\r\n');
    expect(lines.every((line) => line.length <= 998)).toBe(true);
    const parsed = await simpleParser(raw);
    expect(headerValue(parsed, 'List-Unsubscribe')).toBe(`<${url}>`);
    expect(parsed.headers.get('list')).toMatchObject({ unsubscribe: { url } });
  });
});

describe('composeMessage header injection', () => {
  it.each([
    ['the subject', { subject: 'ご案内\r\nBcc: victim@example.jp' }],
    ['the subject (LF only)', { subject: 'ご案内\nBcc: victim@example.jp' }],
    ['the subject (CR only)', { subject: 'ご案内\rBcc: victim@example.jp' }],
    ['the sender name', { from: { name: 'みのり\nBcc: victim@example.jp', address: 'news@minori.example.jp' } }],
    ['an ASCII sender name', { from: { name: 'Minori\r\nBcc: victim@example.jp', address: 'news@minori.example.jp' } }],
    ['the From address', { from: { name: 'みのり', address: 'news@minori.example.jp\r\nBcc: victim@example.jp' } }],
    ['the To address', { to: 'hanako@example.jp\nBcc: victim@example.jp' }],
    ['a non-ASCII To address', { to: '山田@例え.jp\r\nBcc: victim@example.jp' }],
    ['the Reply-To address', { replyTo: 'support@minori.example.jp\rBcc: victim@example.jp' }],
    ['the Message-ID', { messageId: '<send-1@minori.example.jp>\r\nBcc: victim@example.jp' }],
    ['an extra header value', { headers: { ...UNSUBSCRIBE, 'List-Unsubscribe': '<https://crm.example.jp/u/abc>\r\nBcc: victim@example.jp' } }],
    ['an extra header value (LF only)', { headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click\nBcc: victim@example.jp' } }],
    ['a header name with a colon', { headers: { 'X-Campaign: injected': '1' } }],
    ['a header name with a space', { headers: { 'X Campaign': '1' } }],
    ['a header name with a line break', { headers: { 'X-Campaign\r\nBcc': 'victim@example.jp' } }],
    ['an empty header name', { headers: { '': '1' } }],
  ] satisfies Array<[string, Partial<MailToCompose>]>)('refuses a line break or a bad header name in %s with MailHeaderError', async (_, change) => {
    await expect(composeMessage({ ...japanese, ...change })).rejects.toBeInstanceOf(MailHeaderError);
  });

  it('accepts the same fields without the line break', async () => {
    const raw = await composeMessage({ ...japanese, subject: 'ご案内 Bcc: victim@example.jp', headers: { ...UNSUBSCRIBE, 'X-Campaign': 'spring' } });
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('ご案内 Bcc: victim@example.jp');
    expect(parsed.bcc).toBeUndefined();
    expect(headerValue(parsed, 'X-Campaign')).toBe('spring');
  });
});

describe('rfc5322Date', () => {
  it.each([
    ['2026-12-07T17:00:05Z', 'Mon, 07 Dec 2026 17:00:05 +0000'],
    ['2025-03-01T01:00:00Z', 'Sat, 01 Mar 2025 01:00:00 +0000'],
    ['2000-01-09T09:08:07.999Z', 'Sun, 09 Jan 2000 09:08:07 +0000'],
    ['2024-02-29T23:59:59Z', 'Thu, 29 Feb 2024 23:59:59 +0000'],
    // a time given in JST is written in UTC: the previous day and year
    ['2026-01-01T08:59:59+09:00', 'Wed, 31 Dec 2025 23:59:59 +0000'],
    ['2026-10-31T12:34:56Z', 'Sat, 31 Oct 2026 12:34:56 +0000'],
  ])('writes %s as %s', (iso, expected) => {
    expect(rfc5322Date(new Date(iso))).toBe(expected);
  });
});

/** RFC 6376 §3.4.2 relaxed header canonicalisation of one field (name: value, unfolded). */
function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

/** RFC 6376 §3.4.4 relaxed body canonicalisation. */
function relaxedBody(body: string): string {
  const lines = body.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const canonical = lines.map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (canonical.length > 0 && canonical.at(-1) === '') canonical.pop();
  return canonical.map((line) => `${line}\r\n`).join('');
}

/**
 * Verifies the first DKIM-Signature of a message (rsa-sha256, relaxed/relaxed) with the public
 * key, as a receiving server does after its DNS lookup: written here from RFC 6376, not nodemailer's code.
 */
function verifyDkim(signed: Buffer, publicKey: KeyObject): { tags: Record<string, string>; bodyHashMatches: boolean; signatureValid: boolean } {
  const raw = signed.toString('latin1');
  const end = raw.indexOf('\r\n\r\n');
  const fields = raw.slice(0, end + 2).split(/\r\n(?![ \t])/);
  fields.pop();
  const body = raw.slice(end + 4);
  const signature = fields.find((field) => /^dkim-signature\s*:/i.test(field));
  if (!signature) throw new Error('no DKIM-Signature');
  const tags: Record<string, string> = {};
  for (const tag of signature.slice(signature.indexOf(':') + 1).split(';')) {
    const at = tag.indexOf('=');
    if (at < 0) continue;
    tags[tag.slice(0, at).trim()] = tag.slice(at + 1).replace(/[ \t\r\n]+/g, '');
  }
  const bodyHash = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  const used = new Set<string>();
  let data = '';
  for (const name of (tags.h ?? '').split(':')) {
    // the last instance not used yet, from the bottom up (RFC 6376 §5.4.2)
    const field = [...fields]
      .reverse()
      .find((candidate) => !used.has(candidate) && candidate.slice(0, candidate.indexOf(':')).trim().toLowerCase() === name.trim().toLowerCase());
    if (!field) continue;
    used.add(field);
    data += `${relaxedHeader(field)}\r\n`;
  }
  data += relaxedHeader(signature.replace(/(;[ \t\r\n]*b[ \t\r\n]*=)[^;]*/, '$1'));
  return {
    tags,
    bodyHashMatches: bodyHash === tags.bh,
    signatureValid: verify('sha256', Buffer.from(data, 'latin1'), publicKey, Buffer.from(tags.b ?? '', 'base64')),
  };
}

describe('signDkim', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = { domainName: 'minori.example.jp', keySelector: 'kizuna1', privateKey };

  it('adds a DKIM-Signature for the domain and selector covering From, Subject and both List-Unsubscribe headers, and leaves the message as it was', async () => {
    const message = await composeMessage(japanese);
    const signed = await signDkim(message, key);
    expect(signed.subarray(signed.length - message.length).equals(message)).toBe(true);
    const parsed = await simpleParser(signed);
    const header = headerValue(parsed, 'DKIM-Signature');
    expect(header).toBeDefined();
    const { tags } = verifyDkim(signed, createPublicKey(publicKey));
    expect(tags).toMatchObject({ v: '1', a: 'rsa-sha256', c: 'relaxed/relaxed', d: 'minori.example.jp', s: 'kizuna1' });
    const signedFields = tags.h!.toLowerCase().split(':');
    expect(signedFields).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
    expect(reading(parsed)).toEqual(reading(await simpleParser(message)));
  });

  it('signs so that the signature verifies with the public key (relaxed/relaxed, rsa-sha256)', async () => {
    const signed = await signDkim(await composeMessage(japanese), key);
    expect(verifyDkim(signed, createPublicKey(publicKey))).toMatchObject({ bodyHashMatches: true, signatureValid: true });
  });

  it('signs so that a changed List-Unsubscribe-Post, List-Unsubscribe URL or body no longer verifies', async () => {
    const signed = (await signDkim(await composeMessage(japanese), key)).toString('latin1');
    const publicKeyObject = createPublicKey(publicKey);
    const tamperedPost = Buffer.from(
      signed.replace('List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: List-Unsubscribe=Two-Clicks'),
      'latin1',
    );
    expect(tamperedPost.toString('latin1')).not.toBe(signed);
    expect(verifyDkim(tamperedPost, publicKeyObject)).toMatchObject({ bodyHashMatches: true, signatureValid: false });
    const tamperedUrl = Buffer.from(signed.replace('https://crm.example.jp/u/abc123', 'https://evil.example/u/abc123'), 'latin1');
    expect(verifyDkim(tamperedUrl, publicKeyObject)).toMatchObject({ bodyHashMatches: true, signatureValid: false });
    const tamperedBody = Buffer.from(signed.replace('\r\n\r\n', '\r\n\r\nThis line was added in transit.\r\n'), 'latin1');
    expect(tamperedBody.toString('latin1')).not.toBe(signed);
    expect(verifyDkim(tamperedBody, publicKeyObject)).toMatchObject({ bodyHashMatches: false });
  });

  it('does not verify with another key', async () => {
    const signed = await signDkim(await composeMessage(japanese), key);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifyDkim(signed, other)).toMatchObject({ bodyHashMatches: true, signatureValid: false });
  });
});
