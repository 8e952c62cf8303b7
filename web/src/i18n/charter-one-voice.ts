/** The charter one-voice page's words (merged into ja.ts / en.ts under charter.oneVoice). */
export const oneVoiceJa = {
  title: '',
};

export const oneVoiceEn: typeof oneVoiceJa = {
  title: '',
};
