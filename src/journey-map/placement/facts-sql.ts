/** SQL helpers of the facts loader: local days, packed rows, and statements with their operands inlined for COPY. */

/** SQL: the local day number (days since 1970-01-01) of a timestamptz in the time zone `timezoneSql`. */
export function localDaySql(timestampSql: string, timezoneSql: string): string {
  return `(((${timestampSql}) at time zone ${timezoneSql})::date - date '1970-01-01')`;
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

/**
 * `sql` with its `$n` placeholders replaced by literals of `values` (COPY takes no operands).
 * Strings are quoted as PostgreSQL literals (standard_conforming_strings: quotes doubled,
 * backslashes escaped by the E'' form); arrays become array literals; the casts written
 * after the placeholders stay.
 */
export function inlineOperands(sql: string, values: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot inline the number ${value}`);
    return `'${value}'`;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return quote(value.toISOString());
  if (Array.isArray(value))
    return quote(`{${value.map((item) => (item === null ? 'NULL' : `"${String(item).replace(/[\\"]/g, (c) => `\\${c}`)}"`)).join(',')}}`);
  return quote(String(value));
}

function quote(text: string): string {
  if (text.includes('\u0000')) throw new Error('cannot inline a NUL character');
  const doubled = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${doubled.replace(/\\/g, '\\\\')}'` : `'${doubled}'`;
}
