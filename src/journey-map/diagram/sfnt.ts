/**
 * Just enough of the OpenType file format (sfnt) to turn fontkit's subset into a font a browser
 * accepts. fontkit's TrueType subset is made for PDF embedding: it has no cmap (the map from
 * characters to glyphs), no name, OS/2 or post table, and browsers refuse a web font without
 * them (Chromium's OTS sanitizer does). `completeSubset` adds the four tables.
 */

export type Tables = Map<string, Buffer>;

/** The tables of an sfnt file, by tag. */
export function readTables(font: Uint8Array): Tables {
  const data = Buffer.from(font.buffer, font.byteOffset, font.byteLength);
  const count = data.readUInt16BE(4);
  const tables: Tables = new Map();
  for (let i = 0; i < count; i++) {
    const record = 12 + i * 16;
    const tag = data.toString('latin1', record, record + 4);
    const offset = data.readUInt32BE(record + 8);
    const length = data.readUInt32BE(record + 12);
    tables.set(tag, data.subarray(offset, offset + length));
  }
  return tables;
}

function checksum(data: Buffer): number {
  const padded = data.length % 4 === 0 ? data : Buffer.concat([data, Buffer.alloc(4 - (data.length % 4))]);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
}

/** An sfnt file (TrueType outlines) of the given tables, with checksums and head.checkSumAdjustment. */
export function writeTables(tables: Tables): Buffer {
  const tags = [...tables.keys()].sort();
  const count = tags.length;
  const entrySelector = Math.floor(Math.log2(count));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + count * 16);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(count, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(count * 16 - searchRange, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tags.forEach((tag, i) => {
    let table = Buffer.from(tables.get(tag)!);
    if (tag === 'head') table.writeUInt32BE(0, 8);
    const record = 12 + i * 16;
    header.write(tag, record, 'latin1');
    header.writeUInt32BE(checksum(table), record + 4);
    header.writeUInt32BE(offset, record + 8);
    header.writeUInt32BE(table.length, record + 12);
    if (table.length % 4 !== 0) table = Buffer.concat([table, Buffer.alloc(4 - (table.length % 4))]);
    bodies.push(table);
    offset += table.length;
  });
  const file = Buffer.concat([header, ...bodies]);
  const headOffset = header.readUInt32BE(12 + tags.indexOf('head') * 16 + 8);
  file.writeUInt32BE((0xb1b0afba - checksum(file)) >>> 0, headOffset + 8);
  return file;
}

/**
 * A cmap with a format 4 subtable (Unicode BMP, what every renderer reads) and a format 12
 * subtable (all of Unicode). Runs of consecutive characters on consecutive glyphs share a segment.
 */
export function buildCmap(map: Map<number, number>): Buffer {
  const runs: Array<{ start: number; end: number; glyph: number }> = [];
  for (const [codePoint, glyph] of [...map.entries()].sort((a, b) => a[0] - b[0])) {
    const last = runs[runs.length - 1];
    if (last && codePoint === last.end + 1 && glyph === last.glyph + (codePoint - last.start)) last.end = codePoint;
    else runs.push({ start: codePoint, end: codePoint, glyph });
  }
  const bmp = runs.filter((run) => run.end < 0xffff);
  const segments = [...bmp, { start: 0xffff, end: 0xffff, glyph: 0 }];
  const segCount = segments.length;
  const format4 = Buffer.alloc(16 + segCount * 8);
  format4.writeUInt16BE(4, 0);
  format4.writeUInt16BE(format4.length, 2);
  format4.writeUInt16BE(segCount * 2, 6);
  const entrySelector = Math.floor(Math.log2(segCount));
  format4.writeUInt16BE(2 * 2 ** entrySelector, 8);
  format4.writeUInt16BE(entrySelector, 10);
  format4.writeUInt16BE(2 * segCount - 2 * 2 ** entrySelector, 12);
  const ends = 14;
  const starts = ends + segCount * 2 + 2;
  const deltas = starts + segCount * 2;
  segments.forEach((segment, i) => {
    format4.writeUInt16BE(segment.end, ends + i * 2);
    format4.writeUInt16BE(segment.start, starts + i * 2);
    format4.writeUInt16BE(segment.start === 0xffff ? 1 : (segment.glyph - segment.start + 0x10000) & 0xffff, deltas + i * 2);
  });
  const format12 = Buffer.alloc(16 + runs.length * 12);
  format12.writeUInt16BE(12, 0);
  format12.writeUInt32BE(format12.length, 4);
  format12.writeUInt32BE(runs.length, 12);
  runs.forEach((run, i) => {
    format12.writeUInt32BE(run.start, 16 + i * 12);
    format12.writeUInt32BE(run.end, 20 + i * 12);
    format12.writeUInt32BE(run.glyph, 24 + i * 12);
  });
  const header = Buffer.alloc(4 + 2 * 8);
  header.writeUInt16BE(2, 2);
  header.writeUInt16BE(3, 4);
  header.writeUInt16BE(1, 6);
  header.writeUInt32BE(header.length, 8);
  header.writeUInt16BE(3, 12);
  header.writeUInt16BE(10, 14);
  header.writeUInt32BE(header.length + format4.length, 16);
  return Buffer.concat([header, format4, format12]);
}

/** A post table of version 3 (no glyph names), keeping the original's italic angle and underline. */
export function buildPost(original: Buffer | undefined): Buffer {
  const post = Buffer.alloc(32);
  if (original) original.copy(post, 0, 0, 16);
  post.writeUInt32BE(0x00030000, 0);
  return post;
}

/** fontkit's subset plus a cmap for `characters` (code point → subset glyph id) and the original's name, OS/2 and post. */
export function completeSubset(subset: Uint8Array, original: Tables, characters: Map<number, number>): Buffer {
  const tables = readTables(subset);
  tables.set('cmap', buildCmap(characters));
  tables.set('post', buildPost(original.get('post')));
  for (const tag of ['name', 'OS/2']) {
    const table = original.get(tag);
    if (table) tables.set(tag, table);
  }
  return writeTables(tables);
}
