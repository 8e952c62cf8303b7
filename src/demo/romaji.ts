/**
 * Katakana to plain ASCII romaji (Hepburn, long vowels spelt as written, the way many people
 * spell their mail address), enough to make believable addresses from the demo names:
 * サトウ → satou, キョウコ → kyouko, ハットリ → hattori, ジュンコ → junko.
 */
const SINGLE: Record<string, string> = {
  ア: 'a',
  イ: 'i',
  ウ: 'u',
  エ: 'e',
  オ: 'o',
  カ: 'ka',
  キ: 'ki',
  ク: 'ku',
  ケ: 'ke',
  コ: 'ko',
  ガ: 'ga',
  ギ: 'gi',
  グ: 'gu',
  ゲ: 'ge',
  ゴ: 'go',
  サ: 'sa',
  シ: 'shi',
  ス: 'su',
  セ: 'se',
  ソ: 'so',
  ザ: 'za',
  ジ: 'ji',
  ズ: 'zu',
  ゼ: 'ze',
  ゾ: 'zo',
  タ: 'ta',
  チ: 'chi',
  ツ: 'tsu',
  テ: 'te',
  ト: 'to',
  ダ: 'da',
  ヂ: 'ji',
  ヅ: 'zu',
  デ: 'de',
  ド: 'do',
  ナ: 'na',
  ニ: 'ni',
  ヌ: 'nu',
  ネ: 'ne',
  ノ: 'no',
  ハ: 'ha',
  ヒ: 'hi',
  フ: 'fu',
  ヘ: 'he',
  ホ: 'ho',
  バ: 'ba',
  ビ: 'bi',
  ブ: 'bu',
  ベ: 'be',
  ボ: 'bo',
  パ: 'pa',
  ピ: 'pi',
  プ: 'pu',
  ペ: 'pe',
  ポ: 'po',
  マ: 'ma',
  ミ: 'mi',
  ム: 'mu',
  メ: 'me',
  モ: 'mo',
  ヤ: 'ya',
  ユ: 'yu',
  ヨ: 'yo',
  ラ: 'ra',
  リ: 'ri',
  ル: 'ru',
  レ: 're',
  ロ: 'ro',
  ワ: 'wa',
  ヲ: 'o',
  ン: 'n',
};
const SMALL_Y: Record<string, string> = { ャ: 'a', ュ: 'u', ョ: 'o' };

export function katakanaToRomaji(kana: string): string {
  let out = '';
  let doubleNext = false;
  for (let i = 0; i < kana.length; i++) {
    const char = kana[i]!;
    if (char === 'ッ') {
      doubleNext = true;
      continue;
    }
    if (char === 'ー') continue;
    let syllable = SINGLE[char];
    if (syllable === undefined) continue;
    const small = SMALL_Y[kana[i + 1] ?? ''];
    if (small !== undefined) {
      const stem = syllable.slice(0, -1);
      syllable = stem === 'sh' || stem === 'ch' || stem === 'j' ? stem + small : `${stem}y${small}`;
      i++;
    }
    if (doubleNext) {
      syllable = (syllable.startsWith('ch') ? 't' : syllable[0]!) + syllable;
      doubleNext = false;
    }
    out += syllable;
  }
  return out;
}
