import { addDays } from '../../../analytics/periods.ts';

/** "The data ends on …", when it ends well before the date asked about. */
export function dataEndLine(dataEndsOn: string | null, asOf: string): string[] {
  return dataEndsOn === null
    ? []
    : [
        `The data ends on ${dataEndsOn}: every figure is as of ${asOf}, so customers look silent since then. Give --as-of ${addDays(dataEndsOn, 1)} to see them as of the data's end.`,
      ];
}
