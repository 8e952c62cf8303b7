import type pg from 'pg';

/** Whom a message goes to: the customer and their email address. */
export interface EmailRecipient {
  customerId: string;
  /** The customer's id in the brand's systems. */
  externalId: string;
  name: string | null;
  email: string;
}

/**
 * The customer with their email address (the first email identity recorded), or undefined when
 * the workspace has no such customer or the customer has no email address.
 */
export async function findEmailRecipient(
  pool: pg.Pool | pg.PoolClient,
  params: { workspaceId: string; customerId: string },
): Promise<EmailRecipient | undefined> {
  const { rows } = await pool.query<{ id: string; external_id: string; name: string | null; email: string }>(
    `select c.id::text, c.external_id, c.name, i.value as email
       from customers c
       join lateral (select value from customer_identities
                      where customer_id = c.id and kind = 'email'
                      order by created_at, value limit 1) i on true
      where c.workspace_id = $1 and c.id = $2`,
    [params.workspaceId, params.customerId],
  );
  const row = rows[0];
  return row ? { customerId: row.id, externalId: row.external_id, name: row.name, email: row.email } : undefined;
}
