/**
 * The offset of the first byte of `bytes` that is not valid UTF-8 (`bytes.length` when all
 * are). Node's lenient decoder turns each invalid sequence into U+FFFD; a U+FFFD whose prefix
 * re-encodes to the same length and whose bytes are EF BF BD was in the input as such, so the
 * first one that is not marks where the invalid bytes begin.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  for (let at = text.indexOf('\ufffd'); at !== -1; at = text.indexOf('\ufffd', at + 1)) {
    const offset = Buffer.byteLength(text.slice(0, at), 'utf8');
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
  }
  return bytes.length;
}
