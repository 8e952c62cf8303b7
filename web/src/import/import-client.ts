import { api, ApiError, type Schemas } from '../api/client.ts';

export const IMPORT_KINDS = ['customers', 'products', 'orders', 'events', 'subscriptions'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export type ImportMode = 'all-or-nothing' | 'skip-invalid';
export type ImportReport = Schemas['ImportReport'];
export type OrderTimeRule = 'same' | 'earliest';
/** CSV column → field, as the CLI's --mapping file: "" ignores a column, attributes.KEY keeps it as a customer attribute. */
export type ColumnMapping = Record<string, string>;

/** `stored: false` when the server rejected the file whole (all-or-nothing with errors). */
export interface ImportOutcome {
  stored: boolean;
  report: ImportReport;
}

/**
 * Uploads a CSV file as multipart/form-data. A rejected import (422 validation_failed) is an
 * expected outcome, returned with its report; any other failure throws an ApiError.
 */
export async function runImport(params: {
  workspace: string;
  kind: ImportKind;
  file: File;
  mode: ImportMode;
  dryRun: boolean;
  mapping?: ColumnMapping;
  orderTime?: OrderTimeRule;
}): Promise<ImportOutcome> {
  const mapping = params.mapping && Object.keys(params.mapping).length > 0 ? JSON.stringify(params.mapping) : undefined;
  const { data, error, response } = await api.POST('/api/v1/workspaces/{workspace}/imports/{kind}', {
    params: { path: { workspace: params.workspace, kind: params.kind } },
    body: {
      file: params.file,
      mode: params.mode,
      dryRun: params.dryRun ? 'true' : 'false',
      ...(mapping ? { mapping } : {}),
      ...(params.orderTime ? { orderTime: params.orderTime } : {}),
    },
    bodySerializer: (body) => {
      const form = new FormData();
      if (body.mode) form.set('mode', body.mode);
      if (body.dryRun) form.set('dryRun', body.dryRun);
      if (body.mapping) form.set('mapping', body.mapping);
      if (body.orderTime) form.set('orderTime', body.orderTime);
      form.set('file', body.file, params.file.name);
      return form;
    },
  });
  if (data) return { stored: data.stored, report: data };
  if (response.status === 422 && error?.code === 'validation_failed') return { stored: false, report: error.details as ImportReport };
  throw new ApiError(response.status, error);
}
