import { z } from 'zod';
import type { BatchKind } from '../ingest/records.ts';
import type { ReasonCode, ReasonParams } from '../shared/reasons.ts';
import { isRequired, type ImportField } from './import-fields.ts';
import type { ImportColumn, ImportError } from './import-report.ts';

/**
 * An explicit mapping as the CLI's `--mapping` file, the HTTP upload's `mapping` field and the
 * console's mapping step give it: a JSON object {"CSV column": "field"}; "" ignores a column,
 * `attributes.KEY` keeps a customer column as an attribute.
 */
export const ExplicitMapping = z.record(z.string(), z.string());
export type ExplicitMapping = z.infer<typeof ExplicitMapping>;

/** An explicit mapping from its JSON text, or why it is not one. */
export function parseMappingJson(text: string): { ok: true; mapping: ExplicitMapping } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${error instanceof Error ? error.message : String(error)}); expected a JSON object {"CSV column": "field"}` };
  }
  const mapping = ExplicitMapping.safeParse(parsed);
  return mapping.success ? { ok: true, mapping: mapping.data } : { ok: false, reason: 'expected a JSON object {"CSV column": "field"} of strings' };
}

/** Which column feeds each field; for customer files, which columns become attributes. */
export interface ColumnMapping {
  columns: ImportColumn[];
  fields: { field: ImportField; column: number }[];
  /** Customer files keep columns no field takes as profile attributes, under their header. */
  attributes: { key: string; column: number }[];
}

/** Headers compare after NFKC (全角 → 半角, （） → ()), trimming, case and separators (order id = Order_ID). */
export function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '_');
}

const ATTRIBUTE_PREFIX = 'attributes.';

/**
 * Maps a file's header onto the fields of its kind: by the known header spellings, unless an
 * explicit mapping (CSV column → field; "" ignores a column) says otherwise. Fails with errors
 * on line 1 for a field with no column, two columns for one field, or a mapping that names
 * an unknown column or field.
 */
export function mapColumns(params: {
  kind: BatchKind;
  header: readonly string[];
  fields: readonly ImportField[];
  explicit?: Record<string, string>;
}): { ok: true; mapping: ColumnMapping } | { ok: false; errors: ImportError[]; columns: ImportColumn[] } {
  const { kind, header, fields, explicit = {} } = params;
  const errors: ImportError[] = [];
  const fail = (reason: string, column: string | null, code: ReasonCode, params: ReasonParams) =>
    errors.push({ line: 1, column, value: null, reason, code, params });
  const headersFound = header.map((h) => `"${h}"`).join(', ');
  const byName = new Map(fields.map((field) => [field.name, field]));
  const byAlias = new Map<string, ImportField>();
  for (const field of fields) for (const alias of field.aliases) byAlias.set(headerKey(alias), field);

  const explicitByKey = new Map<string, string>();
  for (const [column, target] of Object.entries(explicit)) {
    if (!header.some((h) => headerKey(h) === headerKey(column))) {
      fail(`the mapping names column "${column}", which the file does not have (headers found: ${headersFound})`, null, 'mapping_unknown_column', { column });
    } else if (target !== '' && !byName.has(target) && !(kind === 'customers' && target.startsWith(ATTRIBUTE_PREFIX))) {
      fail(
        `the mapping sends column "${column}" to "${target}", which is not a field of ${kind} (fields: ${[...byName.keys()].join(', ')})`,
        column,
        'mapping_unknown_field',
        { column, field: target },
      );
    } else explicitByKey.set(headerKey(column), target);
  }

  const mapping: ColumnMapping = { columns: [], fields: [], attributes: [] };
  const taken = new Map<string, string>();
  header.forEach((column, index) => {
    const target = explicitByKey.get(headerKey(column));
    const field = target === undefined ? byAlias.get(headerKey(column)) : byName.get(target);
    if (target?.startsWith(ATTRIBUTE_PREFIX)) {
      mapping.attributes.push({ key: target.slice(ATTRIBUTE_PREFIX.length) || column.trim(), column: index });
      mapping.columns.push({ column, field: target });
      return;
    }
    if (!field) {
      const asAttribute = kind === 'customers' && target === undefined && column.trim() !== '';
      if (asAttribute) mapping.attributes.push({ key: column.normalize('NFKC').trim(), column: index });
      mapping.columns.push({ column, field: asAttribute ? `${ATTRIBUTE_PREFIX}${column.normalize('NFKC').trim()}` : null });
      return;
    }
    const earlier = taken.get(field.name);
    if (earlier !== undefined) {
      fail(
        `columns "${earlier}" and "${column}" both map to ${field.name}; remove one or map one of them elsewhere (CLI: --mapping; console: the column mapping; HTTP: mapping)`,
        column,
        'columns_share_field',
        { field: field.name, column: earlier },
      );
    }
    taken.set(field.name, column);
    mapping.fields.push({ field, column: index });
    mapping.columns.push({ column, field: field.name });
  });

  for (const field of fields) {
    if (taken.has(field.name) || !isRequired(field)) continue;
    fail(
      `no column for ${field.name}, which ${kind} need: name a column ${field.aliases.map((a) => `"${a}"`).join(' or ')}, ` +
        `or map a column to it (CLI: --mapping; console: the column mapping; HTTP: mapping) (headers found: ${headersFound})`,
      null,
      'no_column',
      { field: field.name },
    );
  }
  return errors.length > 0 ? { ok: false, errors, columns: mapping.columns } : { ok: true, mapping };
}
