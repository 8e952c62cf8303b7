/** The charter templates page's words (merged into ja.ts / en.ts under charter.templates). */
export const templatesJa = {
  title: '',
};

export const templatesEn: typeof templatesJa = {
  title: '',
};
