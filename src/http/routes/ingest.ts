import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../charter/actor.ts';
import { withTransaction } from '../../db/transaction.ts';
import { INGEST_MODES, ingestBatch, MAX_BATCH_RECORDS } from '../../ingest/ingest-batch.ts';
import { RECORD_KINDS, recordSchemas, type BatchKind } from '../../ingest/records.ts';
import { KizunaError } from '../../shared/errors.ts';
import { authorizeWorkspace } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody, Refusal } from '../errors.ts';
import { bodyCheckedBy } from '../validation.ts';
import { WorkspaceParams } from './workspaces.ts';

const Mode = z
  .enum(INGEST_MODES)
  .default('all-or-nothing')
  .describe('all-or-nothing: any invalid record rejects the batch (422) and nothing is stored; skip-invalid: the valid records are stored');

/** The envelope checked at the edge; each record is checked by the domain, so errors carry the record's index. */
const Envelope = z.object({ mode: Mode, records: z.array(z.unknown()) });

const RecordError = z
  .object({
    index: z.number().int(),
    field: z.string(),
    reason: z.string(),
    ...Refusal.shape,
    value: z.unknown().optional(),
  })
  .meta({ id: 'RecordError' });
const IngestResult = z
  .object({
    received: z.number().int(),
    valid: z.number().int(),
    invalid: z.number().int(),
    stored: z.boolean(),
    errors: z.array(RecordError),
  })
  .meta({ id: 'IngestResult' });

const docSchemas = recordSchemas('Asia/Tokyo');
const recordSchemaOf: Record<BatchKind, z.ZodType> = {
  customers: docSchemas.customer.meta({ id: 'CustomerRecord' }),
  products: docSchemas.product.meta({ id: 'ProductRecord' }),
  orders: docSchemas.order.meta({ id: 'OrderRecord' }),
  events: docSchemas.event.meta({ id: 'EventRecord' }),
  subscriptions: docSchemas.subscription.meta({ id: 'SubscriptionRecord' }),
};

const DESCRIPTIONS: Record<BatchKind, string> = {
  customers: 'Records upsert on their external id: sending the same batch twice changes nothing.',
  products: 'Records upsert on their external id: sending the same batch twice changes nothing.',
  orders:
    'Records upsert on their external id: sending the same batch twice changes nothing. An order may name the subscription it fulfils (subscription_id, the 定期番号) and its delivery_number (お届け回数, needs subscription_id).',
  events: 'Events carry an idempotency_key: sending the same event again stores it once.',
  subscriptions:
    "Subscriptions (定期) upsert on subscription_id (定期番号): sending the same batch twice changes nothing. A status that differs from the stored one is added to the subscription's history (when: status_changed_at, else cancelled_at for a cancellation, else started_at for a new subscription, else now; by: changed_by, else this API key or user) and to the customer's timeline as an event (subscription_started, _paused, _resumed, _cancelled; subscription_skipped per skip). cancel_reason may be a code of the workspace's list (GET …/subscription-cancel-reasons), one of its labels, or words, which are matched to a code and kept as the note. Unknown SKUs are refused (unknown_product); unknown customers get a bare profile.",
};

export function ingestRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    for (const kind of RECORD_KINDS) {
      app.post(
        `/workspaces/:workspace/${kind}/batch`,
        {
          bodyLimit: 64 * 1024 * 1024,
          validatorCompiler: bodyCheckedBy(Envelope),
          schema: {
            tags: ['ingest'],
            summary: `Upsert a batch of ${kind} (up to ${MAX_BATCH_RECORDS.toLocaleString('en-US')} records)`,
            description: DESCRIPTIONS[kind],
            params: WorkspaceParams,
            body: z.object({ mode: Mode, records: z.array(recordSchemaOf[kind]).max(MAX_BATCH_RECORDS) }),
            response: { 200: IngestResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 422: ErrorBody },
          },
        },
        async (request) => {
          const { workspace, principal } = await authorizeWorkspace(deps.database.db, request, request.params.workspace, 'write');
          const body = request.body as z.output<typeof Envelope>;
          if (body.records.length > MAX_BATCH_RECORDS) {
            throw new KizunaError(
              'payload_too_large',
              `A batch holds at most ${MAX_BATCH_RECORDS.toLocaleString('en-US')} records; this one has ${body.records.length.toLocaleString('en-US')}. Split it.`,
            );
          }
          // Subscriptions name who changed a status in their history: this API key or user.
          const writer = kind === 'subscriptions' ? { clock: deps.clock, actor: (await actorOf(deps.database.pool, principal)).label } : undefined;
          // Batches lock rows in key order and so do not deadlock; a conflict left (a writer
          // outside that order) is retried here rather than handed to the client.
          const result = await withTransaction(
            deps.database.pool,
            (client) => ingestBatch({ client, workspace, kind, records: body.records, mode: body.mode, ...(writer ? { writer } : {}) }),
            { retries: 3 },
          );
          if (!result.stored) {
            throw new KizunaError(
              'validation_failed',
              `${result.invalid} of ${result.received} records are invalid; nothing was stored (send "mode": "skip-invalid" to store the valid ones).`,
              result,
            );
          }
          return result;
        },
      );
    }
  };
}
