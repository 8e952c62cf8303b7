import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CsvLineReader, type CsvRecord } from './csv-lines.ts';
import type { ReasonCode, ReasonParams } from '../shared/reasons.ts';
import { createDecoder, encodingChangeMessage, encodingName, guessEncoding, nulByteMessage, UndecodableText, type FileEncoding } from './file-encoding.ts';

/** A CSV file on disk, or uploaded bytes (the console), with an optional name for messages. */
export type CsvSource = { path: string } | { buffer: Buffer; name?: string };

const CHUNK_BYTES = 1 << 20;
const SAMPLE_BYTES = 64 * 1024;
const ASCII_SCAN_BYTES = 16 * 1024 * 1024;

/** A file that cannot be read as CSV text, with the line reached when it was found. */
export class UnreadableCsv extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly code?: ReasonCode,
    readonly params?: ReasonParams,
  ) {
    super(message);
  }
}

export type DetectedEncoding = { ok: true; encoding: FileEncoding } | { ok: false; reason: string; code: ReasonCode; line: number; params?: ReasonParams };

/** The line (header = 1) a byte offset is on: LF is the same byte in UTF-8 and Shift_JIS, never part of another character. */
async function lineAt(source: CsvSource, offset: number): Promise<number> {
  const before = await readAt(source, 0, offset);
  let line = 1;
  for (let at = before.indexOf(0x0a); at !== -1; at = before.indexOf(0x0a, at + 1)) line += 1;
  return line;
}

export async function sourceSize(source: CsvSource): Promise<number> {
  return 'path' in source ? (await stat(source.path)).size : source.buffer.length;
}

export function sourceName(source: CsvSource): string | undefined {
  return 'path' in source ? source.path : source.name;
}

/** The file's bytes in chunks of about 1 MiB. */
export async function* sourceBytes(source: CsvSource): AsyncGenerator<Buffer> {
  if ('buffer' in source) {
    for (let at = 0; at < source.buffer.length; at += CHUNK_BYTES) yield source.buffer.subarray(at, at + CHUNK_BYTES);
    return;
  }
  for await (const chunk of createReadStream(source.path, { highWaterMark: CHUNK_BYTES })) yield chunk as Buffer;
}

/**
 * The encoding of the file, judged on 64 KiB from its first byte that is not plain ASCII (an
 * English header, ids and numbers say nothing about it). A file whose first 16 MiB are ASCII
 * is read as UTF-8; should other bytes come later, decoding stops there with an error.
 */
export async function detectEncoding(source: CsvSource): Promise<DetectedEncoding> {
  const size = await sourceSize(source);
  if (size === 0) return { ...(guessEncoding(Buffer.alloc(0), true) as { ok: false; reason: string; code: ReasonCode }), line: 1 };
  for (let start = 0; start < Math.min(size, ASCII_SCAN_BYTES); start += SAMPLE_BYTES) {
    const block = await readAt(source, start, SAMPLE_BYTES);
    if (isAscii(block) && !block.includes(0)) continue;
    const first = block.findIndex((byte) => byte >= 0x80 || byte === 0);
    const sample = await readAt(source, start + first, SAMPLE_BYTES);
    const guess = guessEncoding(sample, start + first + sample.length >= size);
    if (guess.ok) return guess;
    if ('offset' in guess) {
      const offset = start + first + guess.offset;
      const line = await lineAt(source, offset);
      return { ok: false, reason: encodingChangeMessage('utf-8', line, offset), code: 'encoding_changes', line, params: { line, offset, encoding: 'UTF-8' } };
    }
    return { ...guess, line: 1 };
  }
  return { ok: true, encoding: 'utf-8' };
}

async function readAt(source: CsvSource, position: number, length: number): Promise<Buffer> {
  if ('buffer' in source) return source.buffer.subarray(position, position + length);
  const file = await open(source.path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export interface RecordBatch {
  records: CsvRecord[];
  /** Bytes of the file read so far. */
  bytesRead: number;
}

/**
 * The file's CSV records, decoded, in batches (one per chunk read). Throws UnreadableCsv when
 * bytes turn out invalid in the file's encoding further in.
 */
export async function* readCsvRecords(source: CsvSource, encoding: FileEncoding): AsyncGenerator<RecordBatch> {
  const decoder = createDecoder(encoding);
  const reader = new CsvLineReader();
  let bytesRead = 0;
  // Line breaks in the bytes decoded so far, to say on which line an invalid byte is.
  let lineBreaks = 0;
  const decodeOrThrow = (bytes: Buffer | undefined, decode: () => string) => {
    try {
      return decode();
    } catch (error) {
      if (!(error instanceof UndecodableText)) throw error;
      const offset = Math.min(error.offset, bytes?.length ?? 0);
      const line = 1 + lineBreaks + (bytes ? countByte(bytes.subarray(0, offset), 0x0a) : 0);
      const at = bytesRead - (bytes?.length ?? 0) + offset;
      if (error.nul) throw new UnreadableCsv(nulByteMessage(line, at), line, 'not_text');
      throw new UnreadableCsv(encodingChangeMessage(encoding, line, at), line, 'encoding_changes', { line, offset: at, encoding: encodingName(encoding) });
    }
  };
  for await (const bytes of sourceBytes(source)) {
    bytesRead += bytes.length;
    const records: CsvRecord[] = [];
    reader.push(
      decodeOrThrow(bytes, () => decoder.write(bytes)),
      records,
    );
    lineBreaks += countByte(bytes, 0x0a);
    yield { records, bytesRead };
  }
  const records: CsvRecord[] = [];
  reader.push(
    decodeOrThrow(undefined, () => decoder.end()),
    records,
  );
  reader.end(records);
  yield { records, bytesRead };
}

/** The first record (the header) and the batches of the records after it. */
export async function splitHeader(batches: AsyncIterator<RecordBatch>): Promise<{ header: CsvRecord | undefined; data: AsyncIterable<RecordBatch> }> {
  let first: RecordBatch | undefined;
  for (;;) {
    const next = await batches.next();
    if (next.done) return { header: undefined, data: (async function* () {})() };
    if (next.value.records.length > 0) {
      first = next.value;
      break;
    }
  }
  const [header, ...records] = first.records;
  const bytesRead = first.bytesRead;
  async function* data(): AsyncGenerator<RecordBatch> {
    yield { records, bytesRead };
    for (let next = await batches.next(); !next.done; next = await batches.next()) yield next.value;
  }
  return { header, data: data() };
}

function countByte(bytes: Buffer, byte: number): number {
  let count = 0;
  for (let at = bytes.indexOf(byte); at !== -1; at = bytes.indexOf(byte, at + 1)) count += 1;
  return count;
}
