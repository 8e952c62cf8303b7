import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getCustomer360 } from '../../customers/customer-360.ts';
import { getCustomerTimeline } from '../../customers/customer-timeline.ts';
import type { RfmSegmentCode } from '../../analytics/rfm-segments.ts';
import { CUSTOMER_SORTS, SORT_DIRECTIONS } from '../../customers/customer-list-order.ts';
import { listCustomers, SUBSCRIPTION_FILTERS } from '../../customers/list-customers.ts';
import { rfmSegmentMembers } from '../../customers/rfm-segment-members.ts';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  GENDERS,
  IDENTITY_KINDS,
  LIFECYCLES,
  ORDER_CHANNELS,
  ORDER_STATUSES,
} from '../../shared/vocabulary.ts';
import { PREFECTURES } from '../../shared/prefectures.ts';
import { authorizeWorkspace } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody } from '../errors.ts';
import { todayIn } from '../../analytics/analyses.ts';
import { segmentParam } from './analytics/parameters.ts';
import { CustomerSubscription } from '../../subscriptions/customer-subscriptions.ts';
import { WorkspaceParams } from './workspaces.ts';

const Lifecycle = z.enum(LIFECYCLES);
const Gender = z.enum(GENDERS);

const CustomerListItem = z
  .object({
    id: z.string(),
    externalId: z.string(),
    lifecycle: Lifecycle,
    name: z.string().nullable(),
    nameKana: z.string().nullable(),
    gender: Gender.nullable(),
    prefecture: z.string().nullable(),
    email: z.string().nullable(),
    purchaseCount: z.number().int(),
    purchaseTotal: z.string(),
    lastPurchaseAt: z.date().nullable(),
    clv: z.number().nullable().describe("Predicted customer value from the workspace's last customer value run; null when it did not score this profile"),
    createdAt: z.date(),
  })
  .meta({ id: 'CustomerListItem' });

const CustomerPage = z
  .object({
    items: z.array(CustomerListItem),
    nextCursor: z.string().nullable(),
    total: z.object({ value: z.number().int(), exact: z.boolean().describe('false when there are more than value matches') }),
  })
  .meta({ id: 'CustomerPage' });

const Customer360 = z
  .object({
    profile: z.object({
      id: z.string(),
      externalId: z.string(),
      lifecycle: Lifecycle,
      name: z.string().nullable(),
      nameKana: z.string().nullable(),
      gender: Gender.nullable(),
      birthDate: z.string().nullable(),
      prefecture: z.string().nullable(),
      attributes: z.record(z.string(), z.unknown()),
      purchaseCount: z.number().int(),
      purchaseTotal: z.string(),
      firstPurchaseAt: z.date().nullable(),
      lastPurchaseAt: z.date().nullable(),
      becameCustomerAt: z.date().nullable(),
      createdAt: z.date(),
      updatedAt: z.date(),
    }),
    identities: z.array(z.object({ kind: z.enum(IDENTITY_KINDS), value: z.string() })),
    consents: z.array(
      z.object({
        channel: z.enum(CONSENT_CHANNELS),
        purpose: z.enum(CONSENT_PURPOSES),
        status: z.enum(CONSENT_STATUSES),
        changedAt: z.date(),
        source: z.string().nullable(),
      }),
    ),
    orders: z.array(
      z.object({
        id: z.string(),
        externalId: z.string(),
        orderedAt: z.date(),
        channel: z.enum(ORDER_CHANNELS),
        prefecture: z.string().nullable(),
        store: z.string().nullable(),
        status: z.enum(ORDER_STATUSES),
        deliveredAt: z.date().nullable(),
        amount: z.string(),
        itemCount: z.number().int(),
        items: z.array(z.object({ lineNo: z.number().int(), sku: z.string(), productName: z.string(), quantity: z.number().int(), unitPrice: z.string() })),
        subscriptionId: z.string().nullable().describe('The subscription (定期番号) this order delivers'),
        deliveryNumber: z.number().int().nullable().describe('Which delivery of the subscription it is (お届け回数)'),
      }),
    ),
    subscriptions: z.array(CustomerSubscription).describe('The subscriptions (定期), newest start first'),
  })
  .meta({ id: 'Customer360' });

const Timeline = z
  .object({
    entries: z.array(
      z.object({
        at: z.date(),
        kind: z.enum(['order', 'event', 'consent', 'profile', 'message', 'contact_decision']),
        type: z.string(),
        summary: z.string(),
        details: z.record(z.string(), z.unknown()),
      }),
    ),
    nextBefore: z.string().nullable().describe('Pass as `before` for older entries; null when there are none'),
  })
  .meta({ id: 'CustomerTimeline' });

const CustomerParams = WorkspaceParams.extend({ id: z.string().regex(/^\d{1,18}$/, 'a customer id is a number of at most 18 digits') });

export function customerRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/customers',
      {
        schema: {
          tags: ['customers'],
          summary: 'Search, filter and sort customers and leads (keyset pagination)',
          description:
            'Sorted by `sort` in `order` (default: last purchase, most recent first), ties broken by id. For every sort but `registered`, the profiles without the key (no purchase; no predicted value in the last customer value run) follow the others, newest first, whichever the direction. A cursor is valid only for the sort and order it came from.',
          params: WorkspaceParams,
          querystring: z.object({
            q: z.string().max(200).optional().describe('Prefix of name, given name, kana (hiragana too), email, phone or customer id'),
            lifecycle: Lifecycle.optional(),
            prefecture: z.enum(PREFECTURES).optional(),
            gender: Gender.optional(),
            purchaseCountMin: z.coerce.number().int().min(0).max(1_000_000_000).optional().describe('At least this many purchases'),
            purchaseCountMax: z.coerce.number().int().min(0).max(1_000_000_000).optional().describe('At most this many purchases'),
            subscription: z
              .enum(SUBSCRIPTION_FILTERS)
              .optional()
              .describe(
                'Customers with a subscription (定期) that is active, paused or cancelled now; any: with a subscription of any status; none: never had one',
              ),
            journeyStage: z.string().max(40).optional().describe('Customers standing in this stage (key) of the active journey map now'),
            journeyLevel: z
              .string()
              .max(40)
              .optional()
              .describe('Customers standing at this affinity level (key) of the active journey map now; with journeyStage: in that cell'),
            rfmSegment: segmentParam.optional().describe("Customers in this RFM segment as of today in the workspace's time zone (see GET …/analytics/rfm)"),
            sort: z
              .enum(CUSTOMER_SORTS)
              .default('lastPurchase')
              .describe(
                'lastPurchase: last purchase time; totalSpend: Σ purchases; clv: predicted value of the last customer value run; registered: profile creation (id)',
              ),
            order: z.enum(SORT_DIRECTIONS).default('desc'),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().optional(),
          }),
          response: { 200: CustomerPage, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { limit, cursor, sort, order, ...filters } = request.query;
        const segmentMembers = (segment: RfmSegmentCode) =>
          rfmSegmentMembers({ analytics: deps.analytics, pool, workspaceId: workspace.id, asOf: todayIn(workspace, deps.clock), segment });
        return listCustomers(db, workspace.id, filters, { limit, order: { sort, direction: order }, segmentMembers, ...(cursor ? { cursor } : {}) });
      },
    );

    app.get(
      '/workspaces/:workspace/customers/:id',
      {
        schema: {
          tags: ['customers'],
          summary: 'Customer 360: profile, identities, consents, orders and subscriptions',
          params: CustomerParams,
          response: { 200: Customer360, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return getCustomer360(db, workspace.id, request.params.id);
      },
    );

    app.get(
      '/workspaces/:workspace/customers/:id/timeline',
      {
        schema: {
          tags: ['customers'],
          summary: 'Everything that happened to a customer, newest first',
          params: CustomerParams,
          querystring: z.object({ before: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
          response: { 200: Timeline, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return getCustomerTimeline(pool, workspace.id, request.params.id, request.query);
      },
    );
  };
}
