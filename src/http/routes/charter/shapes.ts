import { z } from 'zod';
import { Charter, DEPARTMENTS, MESSAGE_CHANNELS, MESSAGE_FORMATS, SEVERITIES } from '../../../charter/types.ts';

/** The charter's API shapes: the domain's Charter schema, and the checker's results as sent. */

export const CharterBody = Charter.meta({ id: 'Charter' });

const Text = z.object({ ja: z.string(), en: z.string() });

export const Finding = z
  .object({
    rule: z.string().describe('Stable rule id, e.g. register.mixed, claims.yakkiho.cure, dictionary.variant'),
    severity: z.enum(SEVERITIES),
    range: z.object({
      part: z.enum(['subject', 'body']),
      start: z.number().int().describe("UTF-16 offset in the part's source text, included"),
      end: z.number().int().describe('UTF-16 offset, excluded'),
    }),
    text: z.string().describe('The text at the range, as found'),
    message: Text,
    fix: z.string().optional().describe('Replacement text for the range (a one-click fix): the message reads right with it in place'),
    suggestion: z
      .string()
      .optional()
      .describe('A compliant rewording to write instead (claims); the sentence has to be rewritten around it, so it is not a one-click fix'),
    explanation: Text.optional().describe('Why the rule exists: the law or the charter line'),
  })
  .meta({ id: 'CharterFinding' });

export const Counts = z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() });

export const CheckResult = z
  .object({
    findings: z.array(Finding),
    counts: Counts,
    score: z.number().describe('100 minus weighted findings (error 20, warning 5, info 1), at least 0'),
    publishable: z.boolean().describe('No error'),
  })
  .meta({ id: 'CheckResult' });

export const MessageInput = z
  .object({
    subject: z.string().optional().describe('Email subject (plain text); absent for LINE and SMS'),
    body: z.string().min(1).max(100_000),
    format: z.enum(MESSAGE_FORMATS).default('text').describe('text, html or mjml: HTML and MJML are checked on their visible text, ranges in the source'),
    channel: z.enum(MESSAGE_CHANNELS),
    department: z.enum(DEPARTMENTS),
  })
  .meta({ id: 'MessageInput' });

export const StoredCharter = z
  .object({
    version: z.number().int(),
    charter: CharterBody,
    updatedAt: z.date(),
  })
  .meta({ id: 'StoredCharter' });

export const CharterVersion = z
  .object({
    version: z.number().int(),
    charter: CharterBody,
    changedBy: z.string().describe("A user's name and email, an API key's name, or cli / demo"),
    changedAt: z.date(),
    changedFields: z.array(z.string()).describe('The fields that changed from the version before (charter for the first)'),
    summary: z.string().describe('The changes in words, one line per field'),
  })
  .meta({ id: 'CharterVersion' });

export const SavedCharter = z
  .object({
    outcome: z.enum(['saved', 'unchanged']).describe('unchanged: the charter sent is the current one; no version written'),
    version: CharterVersion,
    templatesRechecked: z.number().int().describe('Templates checked again against the new version (0 when unchanged)'),
  })
  .meta({ id: 'SavedCharter' });

const ImpactCounts = Counts;
export const CharterImpact = z
  .object({
    templates: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          department: z.enum(DEPARTMENTS),
          status: z.enum(['draft', 'published']),
          before: z
            .object({ score: z.number(), counts: ImpactCounts, charterVersion: z.number().int() })
            .describe('As stored: its check at its last save, publication or recheck'),
          after: z.object({ score: z.number(), counts: ImpactCounts }).describe('Checked against the charter sent'),
        }),
      )
      .describe('Every template, those the charter would block first, then by the fall in score'),
    newlyBlocked: z.number().int().describe('Templates without errors that would have some'),
    newlyPublishable: z.number().int().describe('Templates with errors that would have none'),
    scoreChanged: z.number().int(),
  })
  .meta({ id: 'CharterImpact' });

const TemplateFields = {
  id: z.string(),
  name: z.string(),
  department: z.enum(DEPARTMENTS),
  channel: z.enum(MESSAGE_CHANNELS),
  format: z.enum(MESSAGE_FORMATS),
  subject: z.string().nullable(),
  status: z.enum(['draft', 'published']),
  score: z.number(),
  charterVersion: z.number().int().describe('The charter version it was last checked against'),
  stale: z.boolean().describe('The charter changed since: the check and score are of an older version (saving or publishing checks it again)'),
  publishedAt: z.date().nullable(),
  updatedBy: z.string(),
  updatedAt: z.date(),
  createdAt: z.date(),
};

export const MessageTemplate = z.object({ ...TemplateFields, body: z.string(), check: CheckResult }).meta({ id: 'MessageTemplate' });
export const TemplateSummary = z.object({ ...TemplateFields, counts: Counts }).meta({ id: 'MessageTemplateSummary' });

export const TemplateOverride = z
  .object({
    id: z.string(),
    templateId: z.string().nullable().describe('null once the template was deleted; the override stays in the audit log'),
    templateName: z.string().describe("The template's name when it was published"),
    contentHash: z.string().describe('SHA-256 of the channel, format, subject and body published'),
    charterVersion: z.number().int(),
    overriddenBy: z.string(),
    reason: z.string(),
    findings: z.array(Finding).describe('The error findings published over'),
    createdAt: z.date(),
  })
  .meta({ id: 'TemplateOverride' });

export const PublishOutcome = z
  .object({
    outcome: z.enum(['published', 'published_over_errors']),
    template: MessageTemplate,
    override: TemplateOverride.optional().describe('With published_over_errors: the audit log entry'),
  })
  .meta({ id: 'PublishOutcome' });

export const OneVoiceReport = z
  .object({
    charterVersion: z.number().int().nullable(),
    departments: z
      .array(
        z.object({
          department: z.enum(DEPARTMENTS),
          templates: z.array(
            z.object({ id: z.string(), name: z.string(), channel: z.enum(MESSAGE_CHANNELS), status: z.enum(['draft', 'published']), score: z.number() }),
          ),
          meanScore: z.number().nullable().describe("Mean of its templates' scores; null without templates"),
          topFindings: z
            .array(z.object({ rule: z.string(), severity: z.enum(SEVERITIES), count: z.number().int(), example: z.string() }))
            .describe('Findings counted by rule, most common first (at most 5)'),
          addressForms: z
            .array(
              z.object({
                form: z.string(),
                standing: z
                  .enum(['use', 'avoid', 'other'])
                  .describe("use: the charter's form; avoid: a form the charter avoids or a variant; other: not in the charter"),
                count: z.number().int(),
                example: z.string().describe('A few characters around its first use'),
                templateName: z.string(),
              }),
            )
            .describe('How the department addresses the customer, most used first'),
        }),
      )
      .describe('Every department, in the order marketing, support, site_operations, sales'),
    splits: z
      .array(z.object({ form: z.string(), departments: z.array(z.enum(DEPARTMENTS)) }))
      .describe("Address forms outside the charter's, with the departments that write them"),
  })
  .meta({ id: 'OneVoiceReport' });
