/** Contact rules (連絡ルール): frequency caps, quiet hours, suppression, the global control group, the preview. */
export const governanceJa = {
  nav: '連絡ルール',
};

export const governanceEn: typeof governanceJa = {
  nav: 'Contact rules',
};
