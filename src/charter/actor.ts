import type pg from 'pg';
import type { Principal } from '../auth/permissions.ts';

/**
 * Who changed a charter or a template, or overrode the publish gate: a console user, an API
 * key (shown by its name), or the command line and the demo loader (shown by their label).
 * Stored as the label, with the user's or key's id beside it while that user or key exists.
 */
export type Actor = { kind: 'user'; userId: string; label: string } | { kind: 'api_key'; keyId: string; label: string } | { kind: 'system'; label: string };

/** The actor of an HTTP request's principal: a user by name and email, a key by its name. */
export async function actorOf(pool: pg.Pool, principal: Principal): Promise<Actor> {
  if (principal.kind === 'user') {
    return { kind: 'user', userId: principal.userId, label: `${principal.displayName} <${principal.email}>` };
  }
  const { rows } = await pool.query<{ name: string }>('select name from api_keys where id = $1', [principal.keyId]);
  return { kind: 'api_key', keyId: principal.keyId, label: `API key "${rows[0]?.name ?? principal.keyId}"` };
}

/** The (label, user id, API key id) columns an actor is stored as. */
export function actorColumns(actor: Actor): [string, string | null, string | null] {
  return [actor.label, actor.kind === 'user' ? actor.userId : null, actor.kind === 'api_key' ? actor.keyId : null];
}
