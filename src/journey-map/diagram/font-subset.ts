import * as fontkit from 'fontkit';
import { type FontWeight, notoSansJp } from './fonts.ts';
import { completeSubset, readTables, type Tables } from './sfnt.ts';

const parsed = new Map<FontWeight, { font: fontkit.Font; tables: Tables }>();

function parsedFont(weight: FontWeight): { font: fontkit.Font; tables: Tables } {
  let entry = parsed.get(weight);
  if (!entry) {
    const bytes = notoSansJp(weight);
    entry = { font: fontkit.create(bytes), tables: readTables(bytes) };
    parsed.set(weight, entry);
  }
  return entry;
}

/**
 * Noto Sans JP reduced to the characters of `text` (plus the space): a standalone TrueType font
 * of a few dozen kilobytes instead of 5 MB, with a cmap so a browser or an SVG viewer maps the
 * characters to it. Characters the font lacks (emoji) are left to the viewer's fallback fonts.
 */
export function subsetNotoSansJp(weight: FontWeight, text: string): Buffer {
  const { font, tables } = parsedFont(weight);
  const subset = font.createSubset();
  const codePoints = [...new Set([' ', ...text].map((char) => char.codePointAt(0) ?? 0x20))].sort((a, b) => a - b);
  const characters = new Map<number, number>();
  for (const codePoint of codePoints) {
    if (!font.hasGlyphForCodePoint(codePoint)) continue;
    characters.set(codePoint, subset.includeGlyph(font.glyphForCodePoint(codePoint).id));
  }
  return completeSubset(subset.encode(), tables, characters);
}
