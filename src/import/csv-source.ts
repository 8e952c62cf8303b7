import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CsvLineReader, type CsvRecord } from './csv-lines.ts';
import { createDecoder, guessEncoding, UndecodableText, type EncodingGuess, type FileEncoding } from './file-encoding.ts';

/** A CSV file on disk, or uploaded bytes (the console), with an optional name for messages. */
export type CsvSource = { path: string } | { buffer: Buffer; name?: string };

const CHUNK_BYTES = 1 << 20;
const SAMPLE_BYTES = 64 * 1024;
const ASCII_SCAN_BYTES = 16 * 1024 * 1024;

/** A file that cannot be read as CSV text, with the line reached when it was found. */
export class UnreadableCsv extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
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
export async function detectEncoding(source: CsvSource): Promise<EncodingGuess> {
  const size = await sourceSize(source);
  if (size === 0) return guessEncoding(Buffer.alloc(0), true);
  for (let start = 0; start < Math.min(size, ASCII_SCAN_BYTES); start += SAMPLE_BYTES) {
    const block = await readAt(source, start, SAMPLE_BYTES);
    if (isAscii(block) && !block.includes(0)) continue;
    const first = block.findIndex((byte) => byte >= 0x80 || byte === 0);
    const sample = await readAt(source, start + first, SAMPLE_BYTES);
    return guessEncoding(sample, start + first + sample.length >= size);
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
  const decodeOrThrow = (decode: () => string) => {
    try {
      return decode();
    } catch (error) {
      if (error instanceof UndecodableText) throw new UnreadableCsv(error.message, reader.currentLine);
      throw error;
    }
  };
  for await (const bytes of sourceBytes(source)) {
    bytesRead += bytes.length;
    const records: CsvRecord[] = [];
    reader.push(decodeOrThrow(() => decoder.write(bytes)), records);
    yield { records, bytesRead };
  }
  const records: CsvRecord[] = [];
  reader.push(decodeOrThrow(() => decoder.end()), records);
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
