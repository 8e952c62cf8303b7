import type { PropertyTest } from '../model.ts';

/**
 * A small builder of SQL text with numbered placeholders, so the facts loader's queries can
 * add the operands their needs call for (product ids, property tests) without counting.
 */
export class SqlParams {
  readonly values: unknown[] = [];
  private readonly named = new Map<string, string>();

  /** The placeholder of `value` (`$n`), with an optional cast. */
  add(value: unknown, cast = ''): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }

  /** The placeholder of a named operand, added at its first use (a statement must use every operand it sends). */
  shared(name: string, value: unknown, cast: string): string {
    let placeholder = this.named.get(name);
    if (!placeholder) {
      placeholder = this.add(value, cast);
      this.named.set(name, placeholder);
    }
    return placeholder;
  }
}

/** SQL: the local day number (days since 1970-01-01) of a timestamptz in the time zone `timezoneSql`. */
export function localDaySql(timestampSql: string, timezoneSql: string): string {
  return `(((${timestampSql}) at time zone ${timezoneSql})::date - date '1970-01-01')`;
}

type Scalar = string | number | boolean;

/**
 * SQL: does `jsonSql` (a jsonb object: event properties, customer attributes) pass the test?
 * Per the fact definitions: a string value compares the property as text (byte order); a
 * number value compares it as a number, and a property that is not a JSON number fails; a
 * boolean compares a JSON boolean; `in` holds when the property equals any listed value;
 * `!=` holds only when the property is present and different; a missing property (or JSON
 * null) fails every test.
 */
export function propertyTestSql(jsonSql: string, test: PropertyTest, params: SqlParams): string {
  const name = params.add(test.property, '::text');
  if (test.op === 'in') {
    const values = Array.isArray(test.value) ? test.value : [test.value];
    return `(${values.map((value) => compareSql(jsonSql, name, '=', value, params)).join(' or ')})`;
  }
  if (Array.isArray(test.value)) {
    // A list only goes with `in`; the map's check refuses it elsewhere. Compared as `in` would be, it never matches a scalar.
    return 'false';
  }
  return compareSql(jsonSql, name, test.op, test.value, params);
}

function compareSql(jsonSql: string, nameSql: string, op: string, value: Scalar, params: SqlParams): string {
  const property = `(${jsonSql} -> ${nameSql})`;
  const text = `(${jsonSql} ->> ${nameSql})`;
  switch (typeof value) {
    case 'string':
      return `coalesce(${text} collate "C" ${op} ${params.add(value, '::text')} collate "C", false)`;
    case 'number':
      return `(case when jsonb_typeof(${property}) = 'number' then ${text}::numeric ${op} ${params.add(String(value), '::numeric')} else false end)`;
    case 'boolean':
      return `(case when jsonb_typeof(${property}) = 'boolean' then ${text}::boolean ${op} ${params.add(value, '::boolean')} else false end)`;
  }
}

/**
 * Runs `select <columns> <from>` with the rows packed into one text value (tab-separated
 * fields, one line per row, in `orderBy` order) and unpacks them: for the queries that return
 * a row per customer of the workspace, parsing one text is a third cheaper than the driver
 * building a row object per customer (125,000 profiles: 0.6 s instead of 1.0 s). A null field
 * is ''; the columns must not hold tabs or line breaks (numbers, keys, jsonb text do not).
 */
export async function packedRows(
  db: { query: (text: string, values: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }> },
  columns: readonly string[],
  fromSql: string,
  orderBy: string,
  values: unknown[],
): Promise<string[][]> {
  const fields = columns.map((column) => `coalesce((${column})::text, '')`).join(', ');
  const { rows } = await db.query(`select string_agg(concat_ws(E'\\t', ${fields}), E'\\n' order by ${orderBy}) as packed ${fromSql}`, values);
  const packed = rows[0]?.packed as string | null | undefined;
  if (!packed) return [];
  return packed.split('\n').map((line) => line.split('\t'));
}

/** A packed field as a number, or null when empty. */
export const numberOrNull = (field: string | undefined): number | null => (field === undefined || field === '' ? null : Number(field));
