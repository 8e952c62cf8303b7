import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { DB } from '../../db/schema.ts';
import { withTransaction } from '../../db/transaction.ts';
import { type GovernedSend, governSends, recordContact, releaseContacts } from '../../governance/govern.ts';
import { noteJourneyChanges } from '../../journey-map/changes.ts';
import { createEmailRenderer, type EmailRenderer } from '../../messaging/render.ts';
import type { SendChecks } from '../../messaging/send-email.ts';
import type { SmtpTransport } from '../../messaging/smtp.ts';
import type { Clock } from '../../shared/clock.ts';
import { assertNever } from '../../shared/errors.ts';
import type { StepEffect } from '../interpreter.ts';
import { DEFAULT_WHEN_HELD, type ScenarioPurpose, type WhenHeld } from '../model.ts';
import { createSendBatch, type Performed, type SendBatch, type SendRow } from './send-effect.ts';

export type { EffectReason } from './send-effect.ts';

/**
 * Performing effects: what the interpreter decided (scenario_effects, each under its
 * deterministic key) is done here — a mail sent, a task created for people, a customer
 * attribute set. Tasks and attribute updates ("local" effects) need nothing outside the
 * database and are performed by every worker; sends need an SMTP transport.
 *
 * A performer keeps up to `inFlight` effects under way. Whenever half the slots are free it claims
 * that many pending effects in one statement on a connection of its own (`for update skip
 * locked`, so two performers never take the same row), marking them `sending` with
 * `claimed_at`, and reads their recipients with them; the send-time checks (suppression,
 * consent) of the claimed sends are read in one query, then each goes to SMTP over the pooled
 * transport. A send's slot is free again once the SMTP server answered; its outcome waits for a
 * group write (RECORD_DELAY_MS, or at once when RECORD_GROUP wait), and no new claim is made
 * while `inFlight` outcomes are not yet written. So at any moment a performer has fewer than
 * 2 × `inFlight` rows `sending`: at the SMTP server, or answered and not yet recorded.
 *
 * A send is at most once: a row still `sending` after STALE_SENDING_MINUTES belongs to a
 * performer that stopped between the SMTP server and the record — the server may have accepted
 * the message — so it is marked failed ('interrupted') and never sent again; fewer than 2 ×
 * `inFlight` sends per performer that was killed. Tasks and attribute updates are performed and recorded in
 * one transaction (a crash rolls both back) and are idempotent, so a stale one goes back to
 * pending.
 */

/** How many times a send the SMTP server deferred (4xx, connection lost) is tried before it fails. */
export const MAX_SEND_ATTEMPTS = 5;
/** A row `sending` longer than this is taken for a crashed performer's. */
export const STALE_SENDING_MINUTES = 10;
/** Effects under way at once per performer (default of `inFlight`); a killed performer leaves fewer than twice as many sends interrupted. */
export const DEFAULT_IN_FLIGHT = 64;
/** The wait before retry n (1-based): 5, 10, 20, 40 minutes. */
export function retryDelayMinutes(attempt: number): number {
  return 5 * 2 ** Math.max(0, attempt - 1);
}

export const INTERRUPTED_NOTE = 'the SMTP server may have accepted it; not sent again so that it is never sent twice';

/** The kinds of effects performed without SMTP. */
export const LOCAL_EFFECT_KINDS = ['task', 'update_attribute'] as const satisfies readonly StepEffect['kind'][];

export interface PerformEffectsParams {
  pool: pg.Pool;
  clock: Clock;
  /** The SMTP transport (createSmtpTransport); absent: sends are left pending for a performer that has one. */
  transport?: SmtpTransport | undefined;
  /** The instance secret that signs unsubscribe links (with `transport`). */
  secret?: string;
  /** The public URL of this instance (unsubscribe links: `${publicUrl}/u/<token>`; with `transport`). */
  publicUrl?: string;
  /** Only these kinds (default: every kind this performer can do: local effects, and sends with a transport). */
  kinds?: readonly StepEffect['kind'][];
  /** Only this workspace's effects; absent: every workspace's. */
  workspaceId?: string;
  /** At most this many effects (default 500). */
  limit?: number;
  /** Effects under way at once (default DEFAULT_IN_FLIGHT); 1: one after another. */
  inFlight?: number;
  /** A renderer to reuse (its cache of compiled templates); default: one for this call. */
  renderer?: EmailRenderer;
  /** false: sends go without the contact rules' decisions (benchmarks measure what the rules cost; `kizuna serve` always applies them). */
  governance?: boolean;
}

export interface PerformEffectsOutcome {
  done: number;
  notDone: number;
  failed: number;
  /** Sends the SMTP server deferred: back to pending, tried again after their retry_at. */
  retried: number;
  /** Sends a contact rule deferred (pending again until the moment the rules allow). */
  deferred: number;
  /** Sends a contact rule held back for good (not_done: capped, quiet hours, complaint, do not contact). */
  skipped: number;
}

interface EffectRow extends SendRow {
  kind: StepEffect['kind'];
  attempts: number;
  created_at: Date;
}

type Ended = 'done' | 'not_done' | 'failed' | 'retried' | 'deferred' | 'skipped';

/**
 * Performs pending effects due by `clock` (a deferred send waits for its retry_at), each once;
 * first it marks stale `sending` rows (see above). Returns how many ended done, not done,
 * failed, or went back to pending for a retry.
 */
export async function performPendingEffects(params: PerformEffectsParams): Promise<PerformEffectsOutcome> {
  const { pool, clock } = params;
  const limit = params.limit ?? 500;
  const inFlight = Math.max(1, params.inFlight ?? DEFAULT_IN_FLIGHT);
  const { transport } = params;
  if (transport && (params.secret === undefined || params.publicUrl === undefined))
    throw new Error('performPendingEffects: a transport needs secret and publicUrl');
  const kinds = (params.kinds ?? [...LOCAL_EFFECT_KINDS, 'send']).filter((kind) => kind !== 'send' || transport);
  const result: PerformEffectsOutcome = { done: 0, notDone: 0, failed: 0, retried: 0, deferred: 0, skipped: 0 };
  result.failed += await settleStaleEffects(pool, clock.now(), params.workspaceId);
  if (kinds.length === 0) return result;
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const sends = transport
    ? createSendBatch({ pool, db, clock, transport, secret: params.secret!, publicUrl: params.publicUrl!, renderer: params.renderer ?? createEmailRenderer() })
    : null;
  const recorder = createRecorder(pool, clock);
  const active = new Set<Promise<void>>();
  const recorded: Promise<void>[] = [];
  const count = (ended: Ended) => {
    if (ended === 'done') result.done++;
    else if (ended === 'not_done') result.notDone++;
    else if (ended === 'failed') result.failed++;
    else if (ended === 'deferred') result.deferred++;
    else if (ended === 'skipped') result.skipped++;
    else result.retried++;
  };
  let claimedAll = 0;
  // Claims wait until half the slots are free, so a claim brings several rows.
  const refill = Math.max(1, Math.floor(inFlight / 2));
  // Where the last claim ended: the next one starts there instead of walking the index entries
  // of the rows this run already settled (dead until vacuumed). Retries due meanwhile wait for the next run.
  let after = '0';
  // Claims run on a connection of their own, one statement each (see claimEffects).
  const claimer = await pool.connect();
  try {
    await claimer.query('set enable_bitmapscan = off');
    while (claimedAll < limit) {
      const free = inFlight - active.size;
      if (active.size > 0 && free < refill) {
        await Promise.race(active);
        continue;
      }
      // Outcomes not yet written are bounded too: a crash settles at most these and the sends in flight as interrupted.
      if (recorder.backlog() >= inFlight) {
        await recorder.flush();
        continue;
      }
      const claimed = await claimEffects(claimer, {
        now: clock.now(),
        workspaceId: params.workspaceId,
        count: Math.min(free, limit - claimedAll),
        kinds,
        after,
      });
      if (claimed.length === 0) break;
      after = claimed[claimed.length - 1]!.id;
      claimedAll += claimed.length;
      // The contact rules decide first (send now, defer, skip; under the customers' locks), then the
      // send-time checks of those that go are read — before any of them is sent; a failure of
      // either retries each.
      const claimedSends = claimed.filter((row) => row.kind === 'send');
      const held = new Map<string, Ended>();
      const checks = sends
        ? (params.governance === false ? Promise.resolve(new Map<string, Ended>()) : governClaimed(pool, claimedSends, clock.now())).then((decided) => {
            for (const [id, ended] of decided) held.set(id, ended);
            return sends.check(claimedSends.filter((row) => !held.has(row.id)));
          })
        : Promise.resolve(new Map<string, SendChecks>());
      await checks.catch(() => {});
      for (const row of claimed) {
        const job: Promise<void> = checks
          .then((found) => {
            const ended = held.get(row.id);
            return ended ? { ended } : performOne({ pool, clock, sends, recorder }, row, found.get(row.id));
          })
          // Before any mail left (a database error, a lost connection to PostgreSQL): try again later.
          .catch((error: unknown) => ({ performed: { status: 'retry', outcome: { error: (error as Error).message } } as Performed }))
          .then((answer) => {
            if ('ended' in answer) return count(answer.ended);
            // A send's slot is free once SMTP answered; its outcome joins the next group write.
            recorded.push(recorder.record(row, answer.performed).then(count, () => count('failed')));
          })
          .finally(() => active.delete(job));
        active.add(job);
      }
    }
  } finally {
    await Promise.allSettled(active);
    await recorder.flush();
    await Promise.allSettled(recorded);
    // A connection that broke fails its reset too and is destroyed, not returned to the pool.
    await claimer.query('reset enable_bitmapscan').then(
      () => claimer.release(),
      (error: Error) => claimer.release(error),
    );
  }
  return result;
}

/** Sends `sending` for too long: failed, not sent again; tasks and attribute updates: pending again (they are idempotent). */
async function settleStaleEffects(pool: pg.Pool, now: Date, workspaceId: string | undefined): Promise<number> {
  const before = new Date(now.getTime() - STALE_SENDING_MINUTES * 60_000);
  const { rowCount } = await pool.query(
    `update scenario_effects set status = 'failed', done_at = $1,
            outcome = jsonb_build_object('reason', 'interrupted', 'note', $4::text, 'claimedAt', claimed_at)
      where status = 'sending' and kind = 'send' and claimed_at < $2 and ($3::bigint is null or workspace_id = $3)`,
    [now, before, workspaceId ?? null, INTERRUPTED_NOTE],
  );
  await pool.query(
    `update scenario_effects set status = 'pending', claimed_at = null
      where status = 'sending' and kind <> 'send' and claimed_at < $1 and ($2::bigint is null or workspace_id = $2)`,
    [before, workspaceId ?? null],
  );
  return rowCount ?? 0;
}

/**
 * Claims up to `count` pending effects of `kinds` (oldest first), with each send's recipient: its
 * name and first email address; one statement (it commits alone). The pending rows are walked in
 * index order (pending_idx: workspace, id) and the walk stops at `count`: bitmap scans are off on
 * the claiming connection, since right after a burst (a timer releasing 100,000 customers) the
 * table's statistics still say "empty" and the planner would otherwise fetch and sort every
 * pending row for each claim.
 */
async function claimEffects(
  client: pg.ClientBase,
  params: { now: Date; workspaceId: string | undefined; count: number; kinds: readonly StepEffect['kind'][]; after: string },
): Promise<EffectRow[]> {
  const { rows } = await client.query<EffectRow>(
    `with picked as (
         select id from scenario_effects
          where status = 'pending' and (retry_at is null or retry_at <= $1) and ($2::bigint is null or workspace_id = $2) and kind = any($4::text[]) and id > $5
          order by workspace_id, id limit $3
          for update skip locked
       ), claimed as (
         update scenario_effects e set status = 'sending', claimed_at = $1, attempts = e.attempts + 1
           from picked where e.id = picked.id
         returning e.id, e.workspace_id, e.key, e.customer_id, e.kind, e.payload, e.why, e.attempts, e.created_at, e.outcome
       )
       select c.*, r.name as recipient_name, r.email as recipient_email
         from claimed c
         left join lateral (
           select cu.name, i.value as email
             from customers cu
             join lateral (select value from customer_identities
                            where customer_id = cu.id and kind = 'email'
                            order by created_at, value limit 1) i on true
            where c.kind = 'send' and cu.workspace_id = c.workspace_id and cu.id = c.customer_id
         ) r on true
        order by c.id`,
    [params.now, params.workspaceId ?? null, params.count, params.kinds, params.after],
  );
  return rows;
}

interface Deps {
  pool: pg.Pool;
  clock: Clock;
  sends: SendBatch | null;
  recorder: Recorder;
}

/**
 * Performs one effect: a send answers what became of it (the caller records it with others); a
 * task or an attribute update is performed and recorded in one transaction and answers how it ended.
 */
async function performOne(deps: Deps, row: EffectRow, checks: SendChecks | undefined): Promise<{ performed: Performed } | { ended: Ended }> {
  switch (row.kind) {
    case 'send': {
      if (!deps.sends) throw new Error(`effect ${row.key}: a send claimed without a transport`);
      return { performed: await deps.sends.perform(row, checks) };
    }
    case 'task':
      return withTransaction(deps.pool, async (client): Promise<{ ended: Ended }> => {
        const payload = row.payload as Omit<Extract<StepEffect, { kind: 'task' }>, 'key' | 'stepId' | 'kind'>;
        await client.query(
          `insert into tasks (workspace_id, department, title, description, customer_id, due_at, effect_key, why, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           on conflict (effect_key) do nothing`,
          [
            row.workspace_id,
            payload.department,
            payload.title,
            payload.description,
            row.customer_id,
            payload.dueAt,
            row.key,
            JSON.stringify(row.why),
            deps.clock.now(),
          ],
        );
        const { rows } = await client.query<{ id: string }>('select id from tasks where effect_key = $1', [row.key]);
        // A task for people reaches the customer too (a call, a visit): it counts towards the caps.
        const contact = payload as { purpose?: ScenarioPurpose; priority?: number };
        await recordContact(client, {
          workspaceId: row.workspace_id,
          customerId: row.customer_id,
          at: deps.clock.now(),
          channel: 'task',
          purpose: contact.purpose ?? 'marketing',
          department: payload.department,
          priority: contact.priority ?? DEFAULT_PRIORITY,
          effectId: row.id,
          scenarioId: row.why.scenarioId,
        });
        return { ended: await deps.recorder.record(row, { status: 'done', outcome: { taskId: rows[0]!.id } }, client) };
      });
    case 'update_attribute':
      return withTransaction(deps.pool, async (client): Promise<{ ended: Ended }> => {
        const payload = row.payload as { name: string; value: unknown };
        const { rowCount } = await client.query(
          `update customers set attributes = attributes || jsonb_build_object($3::text, $4::jsonb), updated_at = $5
            where workspace_id = $1 and id = $2`,
          [row.workspace_id, row.customer_id, payload.name, JSON.stringify(payload.value ?? null), deps.clock.now()],
        );
        if (!rowCount) {
          const performed: Performed = {
            status: 'not_done',
            outcome: { reason: 'customer_missing', message: `Customer ${row.customer_id} no longer exists.` },
          };
          return { ended: await deps.recorder.record(row, performed, client) };
        }
        await noteJourneyChanges(client, row.workspace_id, { cause: 'customer', customerIds: [row.customer_id], causeRefs: [row.key] });
        return { ended: await deps.recorder.record(row, { status: 'done', outcome: { attribute: payload.name, value: payload.value ?? null } }, client) };
      });
    default:
      return assertNever(row.kind, 'effect kind');
  }
}

interface Recorder {
  /** Records what became of an effect; resolves once it is committed. */
  record(row: EffectRow, performed: Performed, client?: pg.ClientBase): Promise<Ended>;
  /** Outcomes not yet written: waiting for their group write, or in the write under way. */
  backlog(): number;
  /** Writes every outcome waiting now; resolves once they are written. */
  flush(): Promise<void>;
}

/** A group write waits this long for more outcomes to join it, unless RECORD_GROUP are waiting already. */
const RECORD_DELAY_MS = 10;
const RECORD_GROUP = 64;

/** The rows a record may change: its own claim, or a late record of a row already settled as interrupted (its performer was slow, not dead). */
const RECORDABLE = `(e.status = 'sending' or (e.status = 'failed' and e.outcome->>'reason' = 'interrupted'))`;

/**
 * Writes outcomes. Final outcomes without a client of their own are grouped: a write waits
 * RECORD_DELAY_MS for others to join it (at once when RECORD_GROUP wait), and those that arrive
 * while a write is under way go together in the next statement. A late record of a row already
 * settled as interrupted still says what really happened.
 */
function createRecorder(pool: pg.Pool, clock: Clock): Recorder {
  let queue: Array<{ id: string; status: string; outcome: string; resolve: () => void; reject: (error: unknown) => void }> = [];
  let writing: Promise<void> | null = null;
  /** Outcomes in the write under way. */
  let inWrite = 0;
  let timer: NodeJS.Timeout | null = null;
  const write = async () => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      inWrite = batch.length;
      try {
        await pool.query(
          `update scenario_effects e set status = v.status, outcome = v.outcome, done_at = $4, retry_at = null
             from unnest($1::bigint[], $2::text[], $3::jsonb[]) as v(id, status, outcome)
            where e.id = any($1::bigint[]) and e.id = v.id and ${RECORDABLE}`,
          [batch.map((entry) => entry.id), batch.map((entry) => entry.status), batch.map((entry) => entry.outcome), clock.now()],
        );
        // Sends that did not go out (no consent, suppressed, rejected) contacted nobody: their places in the ledger are freed.
        await releaseContacts(
          pool,
          batch.filter((entry) => entry.status !== 'done').map((entry) => entry.id),
        );
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      } finally {
        inWrite = 0;
      }
    }
  };
  /** Starts a write now unless one is under way (it takes what waits when it is done). */
  const startWrite = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    writing ??= write().finally(() => {
      writing = null;
      if (queue.length > 0) schedule();
    });
    return writing;
  };
  const schedule = () => {
    if (writing) return;
    if (queue.length >= RECORD_GROUP) void startWrite();
    else timer ??= setTimeout(() => void startWrite(), RECORD_DELAY_MS);
  };
  const settle = async (row: EffectRow, status: 'done' | 'not_done' | 'failed', outcome: Record<string, unknown>, client?: pg.ClientBase) => {
    if (client) {
      await client.query(`update scenario_effects e set status = $2, outcome = $3, done_at = $4, retry_at = null where e.id = $1 and ${RECORDABLE}`, [
        row.id,
        status,
        JSON.stringify(outcome),
        clock.now(),
      ]);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      queue.push({ id: row.id, status, outcome: JSON.stringify(outcome), resolve, reject });
      schedule();
    });
  };
  return {
    backlog: () => queue.length + inWrite,
    async flush() {
      while (queue.length > 0 || writing) await startWrite();
    },
    async record(row, performed, client) {
      if (performed.status !== 'retry') {
        await settle(row, performed.status, performed.outcome, client);
        return performed.status;
      }
      if (row.attempts >= MAX_SEND_ATTEMPTS) {
        const outcome = {
          ...performed.outcome,
          reason: 'smtp_unavailable',
          message: `Not sent after ${row.attempts} attempts: ${String(performed.outcome.error)}`,
        };
        await settle(row, 'failed', outcome, client);
        return 'failed';
      }
      const now = clock.now();
      const retryAt = new Date(now.getTime() + retryDelayMinutes(row.attempts) * 60_000);
      await (client ?? pool).query(
        `update scenario_effects e set status = 'pending', claimed_at = null, retry_at = $2, outcome = $3 where e.id = $1 and ${RECORDABLE}`,
        [row.id, retryAt, JSON.stringify({ ...performed.outcome, attempts: row.attempts, retryAt: retryAt.toISOString() })],
      );
      // Not sent yet: its place in the contact ledger moves to the retry (a reservation other messages count, and a higher priority may displace).
      await (client ?? pool).query(`update contact_ledger set state = 'scheduled', at = $2 where effect_id = $1 and state = 'sent'`, [row.id, retryAt]);
      return 'retried';
    },
  };
}

/** The priority of a send written before scenarios carried theirs into the effect. */
const DEFAULT_PRIORITY = 50;

/**
 * The contact rules' decisions for claimed sends (governSends, per workspace): the ones held back
 * (deferred or skipped; already written by the decision's transaction) with how they ended. A
 * send's channel, purpose, department, priority and the step's rule for held messages travel in
 * its payload (older effects without them: marketing, priority 50, deferred up to 3 days).
 */
async function governClaimed(pool: pg.Pool, rows: readonly EffectRow[], now: Date): Promise<Map<string, Ended>> {
  const held = new Map<string, Ended>();
  const byWorkspace = new Map<string, GovernedSend[]>();
  for (const row of rows) {
    const payload = row.payload as {
      channel?: 'email';
      purpose?: ScenarioPurpose;
      department?: GovernedSend['department'];
      priority?: number;
      whenHeld?: WhenHeld;
    };
    const send: GovernedSend = {
      effectId: row.id,
      customerId: row.customer_id,
      channel: payload.channel ?? 'email',
      purpose: payload.purpose ?? 'marketing',
      department: payload.department ?? 'marketing',
      priority: payload.priority ?? DEFAULT_PRIORITY,
      scenarioId: row.why.scenarioId ?? null,
      dueAt: row.created_at,
      whenHeld: payload.whenHeld ?? DEFAULT_WHEN_HELD,
    };
    byWorkspace.set(row.workspace_id, [...(byWorkspace.get(row.workspace_id) ?? []), send]);
  }
  for (const [workspaceId, sends] of byWorkspace) {
    const { decisions } = await governSends(pool, { workspaceId, sends, now });
    for (const [effectId, decision] of decisions) {
      if (decision.kind === 'defer') held.set(effectId, 'deferred');
      else if (decision.kind === 'skip') held.set(effectId, 'skipped');
    }
  }
  return held;
}
