import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectEncoding } from './csv-source.ts';
import { createDecoder, guessEncoding, UndecodableText } from './file-encoding.ts';

const text = '受注番号,商品名\nA-1,美容液①\n';

describe('encoding detection', () => {
  it('tells UTF-8, UTF-8 with BOM and Shift_JIS (CP932) apart', () => {
    expect(guessEncoding(Buffer.from(text), true)).toEqual({ ok: true, encoding: 'utf-8' });
    expect(guessEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), true)).toEqual({ ok: true, encoding: 'utf-8-bom' });
    expect(guessEncoding(iconv.encode(text, 'cp932'), true)).toEqual({ ok: true, encoding: 'shift_jis' });
  });

  it('refuses empty, binary, UTF-16 and undecodable bytes with a clear reason', () => {
    expect(guessEncoding(Buffer.alloc(0), true)).toEqual({ ok: false, reason: 'the file is empty', code: 'empty_file' });
    expect(guessEncoding(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), true).ok).toBe(false);
    expect(guessEncoding(iconv.encode(text, 'utf16le'), true)).toMatchObject({ ok: false, reason: expect.stringContaining('not text') });
    expect(guessEncoding(Buffer.from([0xff, 0xfe, 0x41, 0x00]), true)).toMatchObject({ ok: false, reason: expect.stringContaining('UTF-16') });
    expect(guessEncoding(Buffer.from([0x41, 0x2c, 0xfd, 0xfe, 0x0a]), true)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('neither UTF-8 nor Shift_JIS'),
    });
  });

  it('looks past a plain-ASCII start (an English header) to judge the encoding', async () => {
    const file = Buffer.concat([Buffer.from(`${'order_id,sku\n'.repeat(10_000)}`), iconv.encode('A-1,美容液\n', 'cp932')]);
    expect(await detectEncoding({ buffer: file })).toEqual({ ok: true, encoding: 'shift_jis' });
  });

  it('decodes in chunks cut inside characters, and refuses bytes invalid further in', () => {
    const bytes = iconv.encode(text, 'cp932');
    const decoder = createDecoder('shift_jis');
    const decoded = [...bytes].map((byte) => decoder.write(Buffer.from([byte]))).join('') + decoder.end();
    expect(decoded).toBe(text);
    const utf8 = createDecoder('utf-8');
    expect(() => utf8.write(Buffer.concat([Buffer.from('ok,'), iconv.encode('美容液', 'cp932')]))).toThrow(UndecodableText);
  });
});
