import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { KizunaError } from '../shared/errors.ts';

/** The first two bytes of every gzip stream. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** Whether the file is gzip-compressed, judged by its first bytes (not its name). */
async function isGzipFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head.equals(GZIP_MAGIC);
  } finally {
    await handle.close();
  }
}

/**
 * Runs `work` on the CSV text of `file`: the file itself, or when it is gzip-compressed
 * (`orders.csv.gz`), a decompressed copy in a temporary directory, removed afterwards. A copy
 * rather than a stream because the importer reads a file more than once (the encoding is
 * judged on samples at offsets, rejected lines are read again to be written apart) and
 * reports its progress in bytes of the file.
 *
 * Throws `validation_failed` when the file is not a complete gzip stream.
 *
 * @example
 * const report = await withDecompressedFile('online_retail.csv.gz', (csv) => importCsv({ ..., source: { path: csv } }));
 */
export async function withDecompressedFile<T>(file: string, work: (csvPath: string, compressed: boolean) => Promise<T>): Promise<T> {
  if (!(await isGzipFile(file))) return work(file, false);
  const directory = await mkdtemp(path.join(tmpdir(), 'kizuna-gunzip-'));
  try {
    const csvPath = path.join(directory, decompressedName(path.basename(file)) || 'data.csv');
    try {
      await pipeline(createReadStream(file), createGunzip(), createWriteStream(csvPath));
    } catch (error) {
      throw new KizunaError(
        'validation_failed',
        `${file} looks gzip-compressed but cannot be decompressed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return await work(csvPath, true);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The name a compressed file's CSV goes by: `orders.csv.gz` → `orders.csv`. */
export function decompressedName(file: string): string {
  return file.replace(/\.gz$/i, '');
}
