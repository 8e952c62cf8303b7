import type { Comparison, PropertyTest } from '../model.ts';

/**
 * The tests on a JSON value that event property filters (`where`) and `attribute` rules make,
 * in JavaScript; sql.ts says the same in SQL (valueTestSql), and both follow the brief's
 * definition:
 * - a string value compares the property as text (a number's text is its JSON text, a boolean's
 *   `true` / `false`, an object's its jsonb text), texts in code point order (collation C);
 * - a number value compares the property as a number: a property that is not a JSON number fails;
 * - a boolean value compares a JSON boolean (false < true): a property that is not one fails;
 * - `in` holds when the property equals any listed value, each compared as above;
 * - `!=` holds only when the property is present and different;
 * - a missing property (or JSON null) fails every test.
 */

export type Scalar = string | number | boolean;

export function compareNumbers(op: Comparison, actual: number, expected: number): boolean {
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}

function compareTexts(op: Comparison, actual: string, expected: string): boolean {
  return compareNumbers(op, codePointOrder(actual, expected), 0);
}

/**
 * Texts in code point order, as PostgreSQL's collation C orders UTF-8 text (JavaScript's `<`
 * compares UTF-16 units, which puts 𝔸 (U+1D538) before ｱ (U+FF71)).
 */
function codePointOrder(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return left.length - right.length < 0 ? -1 : left.length > right.length ? 1 : 0;
}

/** Does a JSON value (as parsed from jsonb) pass `op value`? */
export function passesValueTest(actual: unknown, op: Comparison | 'in', value: Scalar | readonly Scalar[] | undefined): boolean {
  if (actual === undefined || actual === null || value === undefined) return false;
  if (op === 'in') return (Array.isArray(value) ? value : [value]).some((each) => passesScalarTest(actual, '=', each));
  if (Array.isArray(value)) return false;
  return passesScalarTest(actual, op, value as Scalar);
}

function passesScalarTest(actual: unknown, op: Comparison, expected: Scalar): boolean {
  switch (typeof expected) {
    case 'string':
      return compareTexts(op, jsonText(actual), expected);
    case 'number':
      return typeof actual === 'number' && compareNumbers(op, actual, expected);
    case 'boolean':
      return typeof actual === 'boolean' && compareNumbers(op, Number(actual), Number(expected));
  }
}

/**
 * The text PostgreSQL's `->>` gives for a JSON value: a string as itself, anything else as its
 * jsonb text (`true`, `9`, `{"a": 1}` with jsonb's key order: shorter keys first).
 */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : jsonbText(value);
}

function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => byteLength(a) - byteLength(b) || (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((key) => `${JSON.stringify(key)}: ${jsonbText((value as Record<string, unknown>)[key])}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Does an event's properties pass every test (none: yes)? A scenario trigger's `where`, a complaint's opening event. */
export function propertiesPass(tests: readonly PropertyTest[] | undefined, properties: Record<string, unknown>): boolean {
  return (tests ?? []).every((test) => passesValueTest(properties[test.property], test.op, test.value));
}

/** Property tests in a few words, as the CLI and the console show them: `topic = "complaint", score >= 9`. */
export function propertyTestsInWords(tests: readonly PropertyTest[]): string {
  return tests.map((test) => `${test.property} ${test.op} ${JSON.stringify(test.value)}`).join(', ');
}
