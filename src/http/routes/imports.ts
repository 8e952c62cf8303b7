import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../config.ts';
import { importCsv } from '../../import/import-csv.ts';
import { countErrorsByReason } from '../../import/import-report.ts';
import { ORDER_TIME_RULES } from '../../import/order-staging.ts';
import { parseMappingJson } from '../../import/column-mapping.ts';
import { INGEST_MODES } from '../../ingest/ingest-batch.ts';
import { RECORD_KINDS } from '../../ingest/records.ts';
import { KizunaError } from '../../shared/errors.ts';
import { authorizeWorkspace } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody, Refusal } from '../errors.ts';
import { bodyCheckedBy } from '../validation.ts';
import { WorkspaceParams } from './workspaces.ts';

/** The largest CSV accepted through the API (the CLI has no limit). */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

const ImportReport = z
  .object({
    kind: z.enum(RECORD_KINDS),
    fields: z
      .array(z.object({ name: z.string(), required: z.boolean(), header: z.string().describe('The usual (Japanese) header of its column') }))
      .describe('The fields of this kind a CSV column can map to (and, for customers, attributes.KEY); required: the file must have a column for it'),
    encoding: z.enum(['utf-8', 'utf-8-bom', 'shift_jis']).nullable(),
    columns: z.array(z.object({ column: z.string(), field: z.string().nullable() })),
    rows: z.number().int(),
    records: z.number().int(),
    valid: z.number().int(),
    invalid: z.number().int(),
    stored: z.boolean(),
    dryRun: z.boolean(),
    errors: z.array(z.object({ line: z.number().int(), column: z.string().nullable(), value: z.string().nullable(), reason: z.string(), ...Refusal.shape })),
    sample: z.array(z.record(z.string(), z.unknown())),
    errorsByReason: z
      .array(
        z.object({
          column: z.string().nullable(),
          code: z.string().nullable(),
          reason: z.string(),
          lines: z.number().int().describe('Lines refused for this reason'),
          firstLine: z.number().int(),
        }),
      )
      .describe('The errors counted by column and reason, most frequent first'),
  })
  .meta({ id: 'ImportReport' });

/** A mapping sent as the form field's JSON text, checked as the CLI's --mapping file is. */
const MappingField = z.string().transform((text, ctx) => {
  const parsed = parseMappingJson(text);
  if (parsed.ok) return parsed.mapping;
  ctx.addIssue({ code: 'custom', message: parsed.reason });
  return z.NEVER;
});

/** The form's fields besides the file, as the handler checks them: an unknown field or value is refused (422), never read as a default. */
const UploadFields = z.strictObject({
  mode: z.enum(INGEST_MODES).default('all-or-nothing'),
  dryRun: z.enum(['true', 'false']).default('false').describe('true: check and preview only, store nothing'),
  mapping: MappingField.optional().describe(
    'JSON object {"CSV column": "field"} overriding the automatic header mapping, as the CLI\'s --mapping file; "" ignores a column',
  ),
  orderTime: z
    .enum(ORDER_TIME_RULES)
    .optional()
    .describe(
      'Order files: same (default): every line of an order must carry the same order time; earliest: an order takes the earliest time of its lines (exports that stamp each line as it was keyed)',
    ),
});

const UploadForm = UploadFields.extend({
  file: z.string().describe('The CSV file (UTF-8, UTF-8 with BOM or Shift_JIS)').meta({ format: 'binary' }),
});

interface Upload {
  path: string;
  name: string;
  fields: Record<string, string>;
}

export function importRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(fastifyMultipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });

    app.post(
      '/workspaces/:workspace/imports/:kind',
      {
        ...importDeadline(deps.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
        // The multipart body is read by the handler; its schema here documents the form.
        validatorCompiler: bodyCheckedBy(),
        schema: {
          tags: ['import'],
          summary: 'Import a CSV file of customers, products, orders (one line per item), events or subscriptions (one line per item of a course)',
          description:
            'multipart/form-data. All-or-nothing by default: any invalid row rejects the file (422, details = the report with every error) and nothing is stored. dryRun=true returns the same report (encoding, header mapping, sample, errors) without storing.',
          consumes: ['multipart/form-data'],
          params: WorkspaceParams.extend({ kind: z.enum(RECORD_KINDS) }),
          body: UploadForm,
          response: { 200: ImportReport, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(deps.database.db, request, request.params.workspace, 'write');
        const directory = await mkdtemp(path.join(tmpdir(), 'kizuna-upload-'));
        try {
          const upload = await receiveUpload(request, directory);
          const fields = checkFields(upload.fields);
          const report = await importCsv({
            pool: deps.database.pool,
            workspace,
            kind: request.params.kind,
            source: { path: upload.path, name: upload.name },
            mode: fields.mode,
            dryRun: fields.dryRun === 'true',
            clock: deps.clock,
            ...(fields.mapping ? { mapping: fields.mapping } : {}),
            ...(fields.orderTime ? { orderTime: fields.orderTime } : {}),
          });
          const answered = { ...report, errorsByReason: countErrorsByReason(report.errors) };
          if (!report.stored && !report.dryRun) {
            throw new KizunaError('validation_failed', `${report.errors.length} error(s) in ${upload.name}; nothing was stored.`, answered);
          }
          return answered;
        } finally {
          await rm(directory, { recursive: true, force: true });
        }
      },
    );
  };
}

/**
 * An upload of up to MAX_UPLOAD_BYTES (millions of lines) is received and imported in one
 * request: it gets the request deadline or 30 minutes, whichever is longer (none when the
 * server has no deadline). Its statements run without the statement timeout (see import-csv.ts).
 */
function importDeadline(requestTimeoutMs: number): { handlerTimeout?: number } {
  return requestTimeoutMs > 0 ? { handlerTimeout: Math.max(requestTimeoutMs, 30 * 60_000) } : {};
}

/** Streams the uploaded file to disk (it may be large) and collects the form fields. */
async function receiveUpload(request: FastifyRequest, directory: string): Promise<Upload> {
  if (!request.isMultipart()) throw new KizunaError('bad_request', 'Send the CSV as multipart/form-data with a "file" field.');
  const fields: Record<string, string> = {};
  let upload: Upload | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const target = path.join(directory, 'upload.csv');
      await pipeline(part.file, createWriteStream(target));
      if (part.file.truncated)
        throw new KizunaError('payload_too_large', `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; import it with the CLI (npx kizuna import).`);
      upload = { path: target, name: part.filename || 'upload.csv', fields };
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  if (!upload) throw new KizunaError('bad_request', 'No file in the upload: send the CSV in a "file" field.');
  return upload;
}

/** The form fields through UploadFields; a refusal names each field and why. */
function checkFields(fields: Record<string, string>): z.output<typeof UploadFields> {
  // An empty field is an absent one (an HTML form sends every field).
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''));
  const checked = UploadFields.safeParse(given);
  if (checked.success) return checked.data;
  const issues = checked.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, reason: `not a field of this form (fields: file, ${Object.keys(UploadFields.shape).join(', ')})` }))
      : [{ field: issue.path.join('.'), reason: issue.message }],
  );
  throw new KizunaError('validation_failed', `Invalid upload form: ${issues.map((i) => `${i.field}: ${i.reason}`).join('; ')}`, { issues });
}
