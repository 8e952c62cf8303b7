import { readFile } from 'node:fs';
import { createRequire } from 'node:module';
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
 * kuromoji's Node loader gunzips each dictionary file in 16 KiB chunks, concatenates them and
 * copies the result once more (~90 MB in all, ~0.2 s of a 2 s start). We decompress each file
 * into one buffer of its stated size (the gzip trailer) and hand that buffer over without a copy.
 */
function loadDictionaryInOneBuffer(): void {
  const require = createRequire(import.meta.url);
  const loader = require('kuromoji/src/loader/NodeDictionaryLoader.js') as { prototype: DictionaryLoaderPrototype };
  loader.prototype.loadArrayBuffer = (file, callback) => {
    readFile(file, (readError, compressed) => {
      if (readError) return callback(readError);
      const size = compressed.readUInt32LE(compressed.length - 4);
      gunzip(compressed, { chunkSize: Math.max(64 * 1024, size + 1) }, (gunzipError, bytes) => {
        if (gunzipError) return callback(gunzipError);
        const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
        callback(null, whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      });
    });
  };
}
