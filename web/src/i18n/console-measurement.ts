/** Measurement (効果測定): a scenario's plan, its effect against the holdout, and the journey map's verified effects. */
export const measurementJa = {
  tab: '効果',
};

export const measurementEn: typeof measurementJa = {
  tab: 'Effect',
};
