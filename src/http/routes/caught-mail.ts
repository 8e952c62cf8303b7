import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import type { CaughtMail, CaughtMailbox } from '../../messaging/mail-catcher.ts';
import { loadWhyNames, whyInWords } from '../../scenarios/why.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { AppDeps } from '../app.ts';
import { authorizeWorkspace } from '../auth.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';

const ONLY_WITH_CATCHER =
  'Present only while the server runs the demo mail catcher (kizuna serve without KIZUNA_SMTP_URL: mail is caught on loopback, not delivered; docs/messaging.md).';

const CaughtMailSummary = z
  .object({
    id: z.string(),
    receivedAt: z.string(),
    to: z.array(z.string()).describe('The SMTP envelope recipients'),
    from: z.string().nullable().describe('The From header'),
    subject: z.string(),
    messageId: z.string().nullable(),
    customer: z.object({ id: z.string(), name: z.string().nullable() }).nullable().describe('The customer it was sent to, when known'),
    scenario: z
      .object({ id: z.string(), key: z.string(), version: z.number().int(), stepId: z.string() })
      .nullable()
      .describe('The scenario step that sent it (its effect); null for mail a scenario did not send'),
    whyText: z.object({ ja: z.string(), en: z.string() }).nullable().describe("Why it was sent, in words (the footer's 「このメールをお送りした理由」)"),
    listUnsubscribe: z.string().nullable().describe('The List-Unsubscribe header (RFC 8058)'),
    listUnsubscribePost: z.string().nullable().describe('The List-Unsubscribe-Post header (RFC 8058: List-Unsubscribe=One-Click)'),
    size: z.number().int().describe('Bytes'),
  })
  .meta({ id: 'CaughtMailSummary' });

const CaughtMailMessage = CaughtMailSummary.extend({
  headers: z.array(z.object({ name: z.string(), value: z.string() })).describe('Every header line as received, in order'),
  html: z.string().nullable().describe('The HTML part (show it sandboxed: it is mail, not the console)'),
  text: z.string().nullable().describe('The text part'),
}).meta({ id: 'CaughtMailMessage' });

const CaughtMailPage = z
  .object({
    messages: z.array(CaughtMailSummary),
    nextOffset: z.number().int().nullable().describe('The offset of the next page; null: the last page'),
    capacity: z.number().int().describe('How many messages the catcher keeps (of all workspaces); older ones are dropped'),
  })
  .meta({ id: 'CaughtMailPage' });

/**
 * The demo's caught mail under /workspaces/{workspace}/caught-mail (registered only when the
 * server runs the catcher): the workspace's caught messages, newest first, and one in full.
 * Reading needs 'read'. A message belongs to the workspace of the scenario send it came from
 * (else of the customers it was addressed to); other workspaces never see it.
 */
export function caughtMailRoutes(deps: AppDeps & { caughtMail: CaughtMailbox }): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const mailbox = deps.caughtMail;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/caught-mail',
      {
        schema: {
          tags: ['email'],
          summary: 'Mail the demo caught instead of delivering, newest first',
          description: ONLY_WITH_CATCHER,
          params: WorkspaceParams,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          }),
          response: { 200: CaughtMailPage, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const page = mailbox.list({ workspaceId: workspace.id, limit: request.query.limit, offset: request.query.offset });
        const messages = await describe(pool, workspace.id, page.messages);
        return { messages: messages.map(({ summary }) => summary), nextOffset: page.nextOffset, capacity: mailbox.capacity };
      },
    );

    app.get(
      '/workspaces/:workspace/caught-mail/:id',
      {
        schema: {
          tags: ['email'],
          summary: 'One caught message: headers, HTML and text parts',
          description: ONLY_WITH_CATCHER,
          params: WorkspaceParams.extend({ id: z.string().regex(/^[1-9][0-9]{0,15}$/, 'a caught message id is a number, e.g. 3') }),
          response: { 200: CaughtMailMessage, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const mail = mailbox.read({ workspaceId: workspace.id, id: request.params.id });
        if (!mail)
          throw new KizunaError('not_found', `No caught message ${request.params.id} for this workspace (the catcher keeps the newest ${mailbox.capacity}).`);
        const [described] = await describe(pool, workspace.id, [mail]);
        return { ...described!.summary, headers: mail.headers, html: mail.html, text: mail.text };
      },
    );
  };
}

/** The messages with their customer's name and the reason in words. */
async function describe(pool: pg.Pool, workspaceId: string, messages: CaughtMail[]) {
  const customerIds = [...new Set(messages.flatMap((mail) => (mail.customerId ? [mail.customerId] : [])))];
  const { rows } = await pool.query<{ id: string; name: string | null }>(
    'select id::text, name from customers where workspace_id = $1 and id = any($2::bigint[])',
    [workspaceId, customerIds],
  );
  const names = new Map(rows.map((row) => [row.id, row.name]));
  return Promise.all(
    messages.map(async (mail) => {
      let whyText: { ja: string; en: string } | null = null;
      if (mail.why) {
        const whyNames = await loadWhyNames(pool, workspaceId, mail.why);
        whyText = { ja: whyInWords(mail.why, whyNames, 'ja'), en: whyInWords(mail.why, whyNames, 'en') };
      }
      const summary: z.infer<typeof CaughtMailSummary> = {
        id: mail.id,
        receivedAt: mail.receivedAt.toISOString(),
        to: mail.envelope.to,
        from: mail.from,
        subject: mail.subject,
        messageId: mail.messageId,
        customer: mail.customerId && names.has(mail.customerId) ? { id: mail.customerId, name: names.get(mail.customerId) ?? null } : null,
        scenario: mail.why ? { id: mail.why.scenarioId, key: mail.why.key, version: mail.why.version, stepId: mail.why.stepId } : null,
        whyText,
        listUnsubscribe: mail.listUnsubscribe,
        listUnsubscribePost: mail.listUnsubscribePost,
        size: mail.size,
      };
      return { summary };
    }),
  );
}
