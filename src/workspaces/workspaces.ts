import { addFirstMembers } from '../auth/memberships.ts';
import type { Kdb } from '../db/connect.ts';
import { NOT_PURCHASE_STATUSES } from '../orders/purchase.ts';
import { KizunaError } from '../shared/errors.ts';
import { isValidTimezone } from '../shared/time.ts';

export interface Workspace {
  id: string;
  name: string;
  timezone: string;
  currency: string;
}

export const DEMO_WORKSPACE = 'demo';

/**
 * Creates a workspace: one brand. Its time zone (default Asia/Tokyo) reads timestamps that
 * carry none and decides what a day or a month is; its currency (ISO 4217, default JPY)
 * labels amounts, which are exact decimals. Its first admin is `creatorUserId` (a console user
 * creating it) or, without one (the CLI, the demo brand), every instance admin.
 */
export async function createWorkspace(db: Kdb, params: { name: string; timezone?: string; currency?: string; creatorUserId?: string }): Promise<Workspace> {
  const name = params.name.trim();
  const timezone = params.timezone ?? 'Asia/Tokyo';
  const currency = (params.currency ?? 'JPY').toUpperCase();
  if (!/^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,62}$/u.test(name)) {
    throw new KizunaError('validation_failed', `Workspace name "${params.name}" is not valid: use letters, digits, "-", "_" or "." (at most 63).`);
  }
  if (!isValidTimezone(timezone)) throw new KizunaError('validation_failed', `Unknown time zone "${timezone}" (use an IANA name such as Asia/Tokyo).`);
  if (!Intl.supportedValuesOf('currency').includes(currency)) {
    throw new KizunaError('validation_failed', `Unknown currency "${params.currency}" (use an ISO 4217 code such as JPY, USD, GBP).`);
  }
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('workspaces')
      .values({ name, timezone, currency })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning(['id', 'name', 'timezone', 'currency'])
      .executeTakeFirst();
    if (!created) throw new KizunaError('conflict', `A workspace named "${name}" already exists.`);
    await addFirstMembers(trx, { workspaceId: created.id, ...(params.creatorUserId === undefined ? {} : { creatorUserId: params.creatorUserId }) });
    return created;
  });
}

export async function findWorkspace(db: Kdb, name: string): Promise<Workspace> {
  const workspace = await db.selectFrom('workspaces').select(['id', 'name', 'timezone', 'currency']).where('name', '=', name).executeTakeFirst();
  if (!workspace) throw new KizunaError('not_found', `No workspace named "${name}". Create it with: npx kizuna workspace create ${name}`);
  return workspace;
}

export async function listWorkspaces(db: Kdb): Promise<Workspace[]> {
  return db.selectFrom('workspaces').select(['id', 'name', 'timezone', 'currency']).orderBy('name').execute();
}

export interface WorkspaceSummary extends Workspace {
  /** The brand's name as people read it (みのり青汁本舗); null when none was given. */
  displayName: string | null;
  counts: { customers: number; leads: number; products: number; orders: number; orderItems: number; events: number };
  /** Σ amount over purchases (orders not cancelled or returned), an exact decimal string. */
  salesTotal: string;
}

export async function summarizeWorkspace(db: Kdb, workspace: Workspace): Promise<WorkspaceSummary> {
  const id = workspace.id;
  const count = async (table: 'products' | 'orders' | 'order_items' | 'events') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('workspace_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const profiles = await db
    .selectFrom('customers')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('lifecycle', '=', 'customer').as('customers'),
      eb.fn.countAll<string>().filterWhere('lifecycle', '=', 'lead').as('leads'),
    ])
    .where('workspace_id', '=', id)
    .executeTakeFirstOrThrow();
  const sales = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount'), eb.val('0')).as('total'))
    .where('workspace_id', '=', id)
    .where('status', 'not in', [...NOT_PURCHASE_STATUSES])
    .executeTakeFirstOrThrow();
  const [products, orders, orderItems, events] = await Promise.all([count('products'), count('orders'), count('order_items'), count('events')]);
  const { display_name: displayName } = await db.selectFrom('workspaces').select('display_name').where('id', '=', id).executeTakeFirstOrThrow();
  return {
    ...workspace,
    displayName,
    counts: { customers: Number(profiles.customers), leads: Number(profiles.leads), products, orders, orderItems, events },
    salesTotal: String(sales.total),
  };
}

/**
 * Names the brand as people read it (null: none). Trimmed; 1 to 100 characters. Returns the
 * name stored.
 */
export async function setWorkspaceDisplayName(db: Kdb, workspace: Workspace, displayName: string | null): Promise<string | null> {
  const name = displayName === null ? null : displayName.normalize('NFC').trim();
  if (name !== null && (name.length === 0 || name.length > 100)) {
    throw new KizunaError('validation_failed', "displayName must be 1 to 100 characters (or null to show the workspace's name).");
  }
  await db.updateTable('workspaces').set({ display_name: name }).where('id', '=', workspace.id).execute();
  return name;
}
