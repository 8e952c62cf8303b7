import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzip } from 'node:zlib';
import { getTokenizer, type KuromojiToken, type Tokenizer } from 'kuromojin';

export type { KuromojiToken };

/**
 * kuromoji, loaded once per process on first use (~2 s: its IPADIC dictionary ships inside the
 * npm package and is read from node_modules, never downloaded). We share kuromojin's tokenizer
 * with textlint-rule-no-mix-dearu-desumasu and textlint-rule-max-ten, which load the very same
 * instance, so the dictionary is in memory once.
 *
 * Morphology is the checker's main cost (~60 characters per ms). Messages sent from templates
 * repeat most of their sentences, and the textlint rules tokenize a paragraph while our rules
 * tokenize sentences; so the shared tokenizer is made to tokenize sentence by sentence through
 * one cache: each distinct sentence is analysed once, whoever asks. Sentences end at 。！？!? or
 * a line break, where kuromoji's own analysis has a boundary anyway.
 */
const CACHE_SIZE = 20_000;
const SENTENCE_PIECE = /[^。！？!?\n]*(?:[。！？!?]+|\n|$)/g;
let shared: Promise<Tokenizer> | undefined;

export function sharedTokenizer(): Promise<Tokenizer> {
  if (!shared) loadDictionaryInOneBuffer();
  shared ??= getTokenizer().then((tokenizer) => {
    const tokenizeOne = tokenizer.tokenizeForSentence.bind(tokenizer);
    const cache = new Map<string, KuromojiToken[]>();
    const cached = (piece: string): KuromojiToken[] => {
      let tokens = cache.get(piece);
      if (tokens) return tokens;
      tokens = tokenizeOne(piece);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(piece, tokens);
      return tokens;
    };
    tokenizer.tokenizeForSentence = (text) => {
      const all: KuromojiToken[] = [];
      for (const match of text.matchAll(SENTENCE_PIECE)) {
        if (match[0].length === 0) continue;
        const offset = match.index;
        for (const token of cached(match[0])) all.push(offset === 0 ? token : { ...token, word_position: token.word_position + offset });
      }
      return all;
    };
    return tokenizer;
  });
  return shared;
}

export async function tokenizeSentence(text: string): Promise<readonly KuromojiToken[]> {
  return (await sharedTokenizer()).tokenizeForSentence(text);
}

/** Starts loading the dictionary (a server calls it at start so the first check does not wait). */
export function preloadMorphology(): Promise<void> {
  return sharedTokenizer().then(() => undefined);
}

interface DictionaryLoaderPrototype {
  loadArrayBuffer(file: string, callback: (error: Error | null, buffer?: ArrayBufferLike) => void): void;
}

/**
 * How kuromoji reads its dictionary (~90 MB once decompressed from the package's .dat.gz files).
 * Its Node loader gunzips each file in 16 KiB chunks and copies the result twice; decompression
 * alone is ~0.5 s of a ~2 s start. We keep a decompressed copy beside node_modules
 * (`node_modules/.cache/kizuna/kuromoji-<version>/`, written atomically by the first process
 * that loads the dictionary, like a compile cache) and read it when present; otherwise each file
 * is decompressed into one buffer of its stated size and handed over without a copy. Without a
 * writable cache the loader simply decompresses every time.
 */
function loadDictionaryInOneBuffer(): void {
  const require = createRequire(import.meta.url);
  const loader = require('kuromoji/src/loader/NodeDictionaryLoader.js') as { prototype: DictionaryLoaderPrototype };
  const kuromojiDir = path.dirname(path.dirname(require.resolve('kuromoji')));
  const { version } = require('kuromoji/package.json') as { version: string };
  const cacheDir = path.join(kuromojiDir, '..', '.cache', 'kizuna', `kuromoji-${version}`);
  const asArrayBuffer = (bytes: Buffer): ArrayBufferLike =>
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  loader.prototype.loadArrayBuffer = (file, callback) => {
    const cached = path.join(cacheDir, path.basename(file).replace(/\.gz$/, ''));
    readFile(cached, (cacheError, bytes) => {
      if (!cacheError) return callback(null, asArrayBuffer(bytes));
      readFile(file, (readError, compressed) => {
        if (readError) return callback(readError);
        const size = compressed.readUInt32LE(compressed.length - 4);
        gunzip(compressed, { chunkSize: Math.max(64 * 1024, size + 1) }, (gunzipError, decompressed) => {
          if (gunzipError) return callback(gunzipError);
          callback(null, asArrayBuffer(decompressed));
          writeCache(cached, decompressed);
        });
      });
    });
  };
}

function writeCache(target: string, bytes: Uint8Array): void {
  const temporary = `${target}.${process.pid}.tmp`;
  mkdir(path.dirname(target), { recursive: true }, (mkdirError) => {
    if (mkdirError) return;
    writeFile(temporary, bytes, (writeError) => {
      if (writeError) return unlink(temporary, () => undefined);
      rename(temporary, target, () => undefined);
    });
  });
}
