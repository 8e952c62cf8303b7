import iconv from 'iconv-lite';
import type { ReasonCode } from '../shared/reasons.ts';
import { firstInvalidUtf8Byte } from '../shared/utf8.ts';

/**
 * The encodings Japanese back offices and Excel write CSV in. Shift_JIS is read as CP932
 * (Windows-31J), its Microsoft superset, which is what "Shift_JIS" files really hold (①, ㈱, 髙).
 */
export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'shift_jis';

export type EncodingGuess =
  | { ok: true; encoding: FileEncoding }
  | { ok: false; reason: string; code: ReasonCode }
  /** Whole lines of UTF-8 text, then bytes that are not UTF-8 at `offset` of the sample: two encodings in one file. */
  | { ok: false; reason: string; code: 'encoding_changes'; offset: number };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Decides the encoding from a sample of the file: its start, or, when the start is plain
 * ASCII, a window from the first non-ASCII byte. A BOM means UTF-8 with BOM; bytes that are
 * valid UTF-8 mean UTF-8; bytes valid in CP932 mean Shift_JIS. NUL bytes (binary files,
 * UTF-16) and bytes valid in neither are refused. `complete` says the sample ends the file,
 * so a multi-byte character cut at its end is an error rather than the sample's edge.
 */
export function guessEncoding(sample: Buffer, complete: boolean): EncodingGuess {
  if (sample.length === 0) return { ok: false, reason: 'the file is empty', code: 'empty_file' };
  if (UTF8_BOM.every((byte, i) => sample[i] === byte)) return { ok: true, encoding: 'utf-8-bom' };
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) {
    return { ok: false, reason: 'the file is UTF-16; save it as CSV UTF-8 or CSV (Shift_JIS)', code: 'unknown_encoding' };
  }
  if (sample.includes(0))
    return { ok: false, reason: 'the file is not text (it holds NUL bytes); expected a CSV file in UTF-8 or Shift_JIS', code: 'not_text' };
  // A sample may end inside a character: allow its last 1–3 bytes (UTF-8) or 1 byte (CP932) to be cut.
  const cuts = (most: number) => Array.from({ length: complete ? 1 : most + 1 }, (_, cut) => sample.subarray(0, sample.length - cut));
  if (cuts(3).some(isUtf8)) return { ok: true, encoding: 'utf-8' };
  // UTF-8 Japanese read as CP932 is mostly valid mojibake: a file that starts in UTF-8 (whole
  // lines of it) and changes further down must be named as such, not guessed as Shift_JIS.
  const invalid = firstInvalidUtf8Byte(sample);
  if (invalid > 0 && sample.subarray(0, invalid).includes(0x0a)) {
    return { ok: false, reason: 'the file begins in UTF-8 and then holds bytes that are not UTF-8', code: 'encoding_changes', offset: invalid };
  }
  if (cuts(1).some((body) => !iconv.decode(body, 'cp932').includes('\ufffd'))) return { ok: true, encoding: 'shift_jis' };
  return { ok: false, reason: 'the file is neither UTF-8 nor Shift_JIS text; save it as CSV UTF-8 or CSV (Shift_JIS)', code: 'unknown_encoding' };
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Raised by a decoder when bytes are invalid in the file's encoding, at `offset` of the bytes written last (best effort). */
export class UndecodableText extends Error {
  constructor(
    readonly encoding: FileEncoding,
    readonly offset: number,
    readonly nul = false,
  ) {
    super(nul ? 'a NUL byte' : `bytes that are not valid ${encodingName(encoding)}`);
  }
}

export function encodingName(encoding: FileEncoding): string {
  return encoding === 'shift_jis' ? 'Shift_JIS' : 'UTF-8';
}

/** The message for a NUL byte inside a text file: where, and what it means. */
export function nulByteMessage(line: number, offset: number): string {
  return `the file holds a NUL byte at line ${line} (byte offset ${offset}): it is not text there (binary data, or UTF-16); expected a CSV file in UTF-8 or Shift_JIS`;
}

/** The message for a file whose encoding changes at a line and byte: where, and how to fix it. */
export function encodingChangeMessage(encoding: FileEncoding, line: number, offset: number): string {
  return (
    `the file's encoding changes at line ${line} (byte offset ${offset}): it begins in ${encodingName(encoding)} and holds bytes there that are not valid ${encodingName(encoding)} ` +
    `(${encoding === 'shift_jis' ? 'UTF-8 or binary data' : 'Shift_JIS/CP932 text, e.g. rows pasted from another export'}); save the whole file in one encoding, CSV UTF-8`
  );
}

export interface ChunkDecoder {
  /** Text of these bytes; throws UndecodableText on invalid bytes. */
  write(bytes: Buffer): string;
  end(): string;
}

/** A streaming decoder for the file's encoding, which refuses invalid bytes and NULs. */
export function createDecoder(encoding: FileEncoding): ChunkDecoder {
  if (encoding === 'shift_jis') {
    const decoder = iconv.getDecoder('cp932');
    const checked = (text: string) => {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL is exactly what this looks for (a binary file, not text)
      const bad = text.search(/[\ufffd\u0000]/);
      if (bad !== -1) throw new UndecodableText(encoding, iconv.encode(text.slice(0, bad), 'cp932').length, text.charCodeAt(bad) === 0);
      return text;
    };
    return { write: (bytes) => checked(decoder.write(bytes)), end: () => checked(decoder.end() ?? '') };
  }
  // TextDecoder drops the BOM (ignoreBOM: false) and, fatal, throws on invalid sequences.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (bytes: Buffer | undefined, stream: boolean) => {
    let text: string;
    try {
      text = decoder.decode(bytes, { stream });
    } catch {
      throw new UndecodableText(encoding, bytes ? invalidOffset(bytes) : 0);
    }
    const nul = text.indexOf('\u0000');
    if (nul !== -1) throw new UndecodableText(encoding, Buffer.byteLength(text.slice(0, nul), 'utf8'), true);
    return text;
  };
  return { write: (bytes) => decode(bytes, true), end: () => decode(undefined, false) };
}

/** Where a chunk's invalid UTF-8 starts; the bytes of a character begun in the previous chunk (at most 3) are not counted as invalid. */
function invalidOffset(bytes: Buffer): number {
  let skip = 0;
  while (skip < 3 && skip < bytes.length && (bytes[skip]! & 0xc0) === 0x80) skip += 1;
  return skip + firstInvalidUtf8Byte(bytes.subarray(skip));
}
