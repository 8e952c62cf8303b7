/** The charter checker page's words (merged into ja.ts / en.ts under charter.checker). */
export const checkerJa = {
  title: '',
};

export const checkerEn: typeof checkerJa = {
  title: '',
};
