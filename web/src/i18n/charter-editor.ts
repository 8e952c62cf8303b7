/** The charter editor page's words (merged into ja.ts / en.ts under charter.editor). */
export const editorJa = {
  title: '',
};

export const editorEn: typeof editorJa = {
  title: '',
};
