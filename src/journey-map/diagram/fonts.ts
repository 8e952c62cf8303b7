import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Noto Sans JP, the diagram's one typeface (server side: the exports embed it). The TTFs come
 * from the @expo-google-fonts/noto-sans-jp package (SIL Open Font License), so every machine
 * that installs Kizuna draws the same glyphs, whatever fonts its system has.
 */

export type FontWeight = 400 | 700;

const require = createRequire(import.meta.url);

export const NOTO_SANS_JP_FILES: Record<FontWeight, string> = {
  400: require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf'),
  700: require.resolve('@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf'),
};

const loaded = new Map<FontWeight, Buffer>();

/** The font file's bytes, read once per process (5 MB each; they never change). */
export function notoSansJp(weight: FontWeight): Buffer {
  let bytes = loaded.get(weight);
  if (!bytes) {
    bytes = readFileSync(NOTO_SANS_JP_FILES[weight]);
    loaded.set(weight, bytes);
  }
  return bytes;
}
