/** The frame's own words: the phone menu, the 404 page, the home overview (frame). */
export const frameJa = {
  menu: 'メニュー',
  closeMenu: 'メニューを閉じる',
  /** The charter editor in the navigation, apart from the section's own name (関係性定義). */
  charterEditorNav: '定義の編集',
  notFoundLead: 'URLが正しいか確認するか、メニューから目的のページを開いてください。',
};

export const frameEn: typeof frameJa = {
  menu: 'Menu',
  closeMenu: 'Close menu',
  charterEditorNav: 'Edit charter',
  notFoundLead: 'Check the address, or open the page you want from the menu.',
};
