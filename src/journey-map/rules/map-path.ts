import type { z } from 'zod';
import type { MapProblem } from '../model.ts';

/** A path into the map's JSON: keys and array indexes. */
export type MapPath = ReadonlyArray<string | number>;

/** `['stages', 2, 'rule', 'all', 1, 'products', 0]` → `stages[2].rule.all[1].products[0]`. */
export function formatPath(path: MapPath): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return text === '' ? '(the map)' : text;
}

export function problemAt(path: MapPath, message: string): MapProblem {
  return { path: formatPath(path), message };
}

/** The value at `path` inside `root`, or undefined. */
export function valueAt(root: unknown, path: MapPath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

const describe = (value: unknown): string =>
  Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : JSON.stringify(value);

/**
 * zod's issues as problems a person can act on: the path of the node and what it should be.
 * `prefix` is where the parsed value sits in the map; `root` is that value's raw JSON (to say
 * what was given). Unions (`invalid_union`) are explained by `unionMessage`, which knows
 * which alternatives the node at that path had.
 */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  params: { prefix: MapPath; root: unknown; unionMessage?: (path: MapPath) => string },
): MapProblem[] {
  return issues.map((issue) => {
    const relative = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
    const path = [...params.prefix, ...relative];
    return problemAt(
      path,
      issueMessage(issue, valueAt(params.root, relative), () => params.unionMessage?.(path)),
    );
  });
}

function issueMessage(issue: z.core.$ZodIssue, given: unknown, unionMessage: () => string | undefined): string {
  switch (issue.code) {
    case 'invalid_type':
      return given === undefined ? `missing: expected ${article(issue.expected)}` : `expected ${article(issue.expected)}, got ${describe(given)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    case 'invalid_value': {
      const allowed = issue.values.map((value) => JSON.stringify(value)).join(', ');
      return given === undefined ? `missing: expected one of: ${allowed}` : `${describe(given)} is not allowed here; expected one of: ${allowed}`;
    }
    case 'too_small':
      return issue.origin === 'array'
        ? `needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
        : issue.origin === 'string'
          ? Number(issue.minimum) === 1
            ? 'must not be empty'
            : `must be at least ${issue.minimum} characters`
          : `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `has more than ${issue.maximum} items (at most ${issue.maximum})`
        : issue.origin === 'string'
          ? `is longer than ${issue.maximum} characters`
          : `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_union':
      return unionMessage() ?? `${describe(given)} is not a valid value here`;
    case 'invalid_format':
    case 'custom':
      return issue.message;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
