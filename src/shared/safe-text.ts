/**
 * Text and JSON values that PostgreSQL can store as sent. PostgreSQL text cannot hold NUL
 * (U+0000) and jsonb refuses `\u0000` and unpaired surrogates; a JavaScript string holds
 * both, and Node would silently turn a lone surrogate into U+FFFD on its way to a text column.
 * So values are refused at the edge, with the field, instead of failing the write (a 500, and
 * the whole batch lost) or changing silently.
 */
import type { ReasonCode } from './reasons.ts';

export interface UnsafeValue {
  reason: string;
  code: ReasonCode;
  /** Where in a JSON value the problem is (keys and indexes from the value's root). */
  path: (string | number)[];
  params?: { maximum: number };
}

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text, or undefined when it can. */
export function unsafeText(text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) return `contains a NUL character (U+0000) at position ${nul + 1}`;
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    const unit = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    return `contains an unpaired surrogate (U+${unit}) at position ${surrogate.index + 1}: not valid Unicode text`;
  }
  return undefined;
}

/** The bounds on a free-form JSON object (a customer's or product's attributes, an event's properties). */
export const JSON_OBJECT_LIMITS = {
  /** Levels of objects and arrays, the outer object being level 1. */
  depth: 16,
  /** Values in all (keys' values and array elements, at every level). */
  values: 10_000,
  /** Characters in one key or string. */
  stringLength: 100_000,
} as const;

/**
 * The first reason a JSON value cannot be stored as jsonb within JSON_OBJECT_LIMITS, or
 * undefined. Walks the value with an explicit stack: a value nested 100,000 deep (which
 * JSON.parse accepts) must be refused, not overflow the call stack.
 */
export function unsafeJson(root: unknown, limits = JSON_OBJECT_LIMITS): UnsafeValue | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  let values = 0;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    values += 1;
    if (values > limits.values) {
      return {
        reason: `holds more than ${limits.values.toLocaleString('en-US')} values`,
        code: 'too_large_object',
        path: [],
        params: { maximum: limits.values },
      };
    }
    if (typeof value === 'string') {
      const problem = stringProblem(value, limits);
      if (problem) return { reason: problem, code: 'invalid_text', path };
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return { reason: `not a finite number: ${value}`, code: 'invalid_type', path };
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= limits.depth) {
      return { reason: `nested deeper than ${limits.depth} levels`, code: 'too_deep', path, params: { maximum: limits.depth } };
    }
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof key === 'string') {
        const problem = stringProblem(key, limits);
        if (problem) return { reason: `key ${problem}`, code: 'invalid_text', path };
      }
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

function stringProblem(text: string, limits: typeof JSON_OBJECT_LIMITS): string | undefined {
  if (text.length > limits.stringLength) return `longer than ${limits.stringLength.toLocaleString('en-US')} characters`;
  return unsafeText(text);
}

/**
 * The first string (or key) of a JSON value that cannot be stored as text, or the first value
 * nested deeper than `maxDepth`, with its path. Iterative, as unsafeJson: JSON.parse accepts a
 * body nested 100,000 deep, which recursive code (JSON.stringify on its way to jsonb) cannot.
 */
export function unsafeTextIn(root: unknown, maxDepth = 64): { path: (string | number)[]; reason: string } | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const reason = unsafeText(value);
      if (reason) return { path, reason };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= maxDepth) return { path, reason: `is nested deeper than ${maxDepth} levels` };
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) {
      const reason = typeof key === 'string' ? unsafeText(key) : undefined;
      if (reason) return { path, reason: `key ${reason}` };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}
