import type { z } from 'zod';

/**
 * Why a value or a line was refused, as a stable code beside the English `reason` text, so
 * the console can say it in the operator's language. Codes name the common cases; an error
 * without a code is shown with its reason as written.
 */
export const REASON_CODES = [
  'required',
  'invalid_type',
  'invalid_format',
  'not_allowed',
  'too_small',
  'too_large',
  'invalid_date',
  'no_such_date',
  'no_such_time',
  'invalid_amount',
  'invalid_integer',
  'out_of_range',
  'invalid_phone',
  'invalid_email',
  'invalid_prefecture',
  'invalid_yes_no',
  'invalid_share',
  'duplicate',
  'unknown_product',
  'identity_taken',
  'order_lines_disagree',
  'empty_file',
  'header_only',
  'not_text',
  'unknown_encoding',
  'invalid_text',
  'too_deep',
  'too_large_object',
  'too_many_digits',
  'date_out_of_range',
  'negative_amount',
  'unclosed_quote',
  'line_too_long',
  'bare_carriage_return',
  'column_count',
  'encoding_changes',
  'order_time_differs',
  'no_column',
  'mapping_unknown_column',
  'mapping_unknown_field',
  'columns_share_field',
  'invalid_cycle',
  'delivery_without_subscription',
  'subscription_lines_disagree',
  'before_start',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];
export type ReasonParams = Record<string, string | number>;

/** A refusal: the English text, and its code (and parameters) for other languages. */
export interface Refusal {
  reason: string;
  code?: ReasonCode;
  params?: ReasonParams;
}

/**
 * The code of a zod issue. Our own checks raise `custom` issues whose `params.code` names
 * the reason (see records.ts); zod's built-in issues map onto the generic codes.
 */
export function refusalOfIssue(issue: z.core.$ZodIssue, input?: unknown): Refusal {
  const reason = issue.message;
  switch (issue.code) {
    case 'custom': {
      const { code, ...params } = (issue.params ?? {}) as { code?: ReasonCode } & ReasonParams;
      if (!code) return { reason };
      return Object.keys(params).length > 0 ? { reason, code, params } : { reason, code };
    }
    case 'invalid_type':
      return { reason, code: input === undefined || input === null || input === '' ? 'required' : 'invalid_type' };
    case 'invalid_value':
      return { reason, code: 'not_allowed', params: { values: issue.values.map(String).join(', ') } };
    case 'too_small':
      return { reason, code: 'too_small', params: { minimum: Number(issue.minimum), inclusive: issue.inclusive === false ? 0 : 1 } };
    case 'too_big':
      return { reason, code: 'too_large', params: { maximum: Number(issue.maximum), inclusive: issue.inclusive === false ? 0 : 1 } };
    case 'invalid_format':
      return { reason, code: 'invalid_format' };
    default:
      return { reason };
  }
}
