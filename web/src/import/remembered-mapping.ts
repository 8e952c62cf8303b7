import type { ColumnMapping, ImportKind, ImportReport } from './import-client.ts';

/**
 * The column mappings an operator chose, kept in the browser per workspace and kind of data,
 * so the next export from the same back office (same headers) is mapped already.
 */
const key = (workspace: string, kind: ImportKind) => `kizuna.importMapping.${workspace}.${kind}`;

export function rememberedMapping(workspace: string, kind: ImportKind): ColumnMapping {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(key(workspace, kind)) ?? '{}');
    if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return {};
    return Object.fromEntries(Object.entries(stored).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/** Adds the choices to what is remembered (a later choice for a column replaces the earlier). */
export function rememberMapping(workspace: string, kind: ImportKind, mapping: ColumnMapping): void {
  localStorage.setItem(key(workspace, kind), JSON.stringify({ ...rememberedMapping(workspace, kind), ...mapping }));
}

export function forgetMapping(workspace: string, kind: ImportKind): void {
  localStorage.removeItem(key(workspace, kind));
}

/** The remembered choices for the columns this file has (a mapping naming a column the file lacks is refused). */
export function mappingForFile(remembered: ColumnMapping, report: ImportReport): ColumnMapping {
  const columns = new Set(report.columns.map((c) => c.column));
  return Object.fromEntries(Object.entries(remembered).filter(([column]) => columns.has(column)));
}

/**
 * The columns the mapping step offers: those no field takes (ignored, or customer attributes
 * by default) and those an explicit mapping placed; and the required fields with no column.
 */
export function mappingNeeds(report: ImportReport, explicit: ColumnMapping): { columns: string[]; missing: string[] } {
  const columns = report.columns.filter((c) => c.field === null || c.field.startsWith('attributes.') || c.column in explicit).map((c) => c.column);
  const missing = report.errors.filter((e) => e.code === 'no_column').map((e) => String(e.params?.field ?? ''));
  return { columns, missing };
}
