import { createHash } from 'node:crypto';
import { convert } from 'html-to-text';
import { Liquid, LiquidError, type Template } from 'liquidjs';
import mjml2html from 'mjml';
import type { MessageFormat } from '../charter/types.ts';
import { KizunaError } from '../shared/errors.ts';
import { footerHtml, footerText, withFooter } from './footer.ts';
import { missingSenderSettings, type SenderSettings } from './sender-settings.ts';

/** The purposes of mail, as consents name them: advertising mail needs an opt-in, transactional mail does not. */
export type EmailPurpose = 'marketing' | 'transactional';

/** What rendering needs of a charter template (src/charter/templates.ts MessageTemplate fits). */
export interface EmailTemplate {
  id: string;
  channel: 'email' | 'line' | 'sms';
  format: MessageFormat;
  subject: string | null;
  body: string;
  status: 'draft' | 'published';
}

/**
 * The values a template may use, always all defined (an unknown one is empty), so
 * `{% if product.name %}` works; any other name is a render error (strict variables).
 * Documented in docs/messaging.md.
 */
export interface EmailVariables {
  customer: { name: string; email: string; id: string };
  product: { name: string; sku: string };
  /** Days since the trigger order's delivery; null when there is none. */
  days_since_delivery: number | null;
  /** The reason in words, and the link to the page that explains it (empty when none). */
  reason: { text: string; url: string };
  unsubscribe_url: string;
  sender: { name: string };
}

/** One customer's values for a render. */
export interface EmailRenderInput {
  template: EmailTemplate;
  purpose: EmailPurpose;
  sender: SenderSettings;
  customer: { id: string; name: string | null; email: string };
  product?: { name: string; sku: string } | null;
  daysSinceDelivery?: number | null;
  /** Why this customer gets this mail, in words; required for advertising mail, shown in the footer. */
  reasonText?: string | null;
  /** The one-click link (unsubscribeUrl of unsubscribe-token.ts); required for advertising mail. */
  unsubscribeUrl?: string | null;
  /** The reason page of this send (whyUrl of why-token.ts), linked in the footer under 「このメールをお送りした理由」. */
  whyUrl?: string | null;
  /** Render a draft too (a preview in the console); sending only renders published templates. */
  preview?: boolean;
}

/** A message ready for sendEmail. */
export interface RenderedEmail {
  subject: string;
  /** null for templates written as text. */
  html: string | null;
  text: string;
  purpose: EmailPurpose;
  unsubscribeUrl: string | null;
  templateId: string;
}

/** Limits of one render: a template cannot make a message without end. */
export const RENDER_LIMITS = {
  /** Rendered HTML or text, in characters. */
  bodyChars: 1_000_000,
  subjectChars: 500,
  reasonChars: 1_000,
  /** Liquid's own limits: milliseconds of rendering and bytes allocated. */
  renderMs: 1_000,
  memoryBytes: 20_000_000,
} as const;

/**
 * A template that cannot be rendered: bad MJML or Liquid, an unknown variable, a limit passed,
 * missing sender settings for advertising mail. `details.part` names the part (subject or
 * body); the message says what to fix.
 */
export class EmailRenderError extends KizunaError {
  constructor(message: string, details: { templateId: string; part: 'subject' | 'body' | 'settings' | 'input' }) {
    super('validation_failed', message, details);
    this.name = 'EmailRenderError';
  }
}

interface CompiledTemplate {
  format: MessageFormat;
  subject: Template[];
  body: Template[];
  /**
   * An HTML body's text part as a Liquid template of its own (textTemplateOf), rendered per
   * customer like the body; null: the text part is converted from each rendered HTML instead.
   */
  text: Template[] | null;
}

export interface EmailRenderer {
  /** Renders one customer's message. Throws EmailRenderError with a clear message. */
  render(input: EmailRenderInput): Promise<RenderedEmail>;
  /** How many compiled templates the cache holds (for tests and metrics). */
  cachedTemplates(): number;
}

/**
 * A renderer with a cache of compiled templates: MJML is compiled to HTML and the Liquid parsed
 * once per template version (key: template id + a hash of format, subject and body), then each
 * customer costs one Liquid render. The cache holds at most `maxTemplates` versions, least
 * recently used out first.
 *
 * @example
 * const renderer = createEmailRenderer();
 * const message = await renderer.render({ template, purpose: 'marketing', sender, customer, reasonText, unsubscribeUrl });
 */
export function createEmailRenderer(options: { maxTemplates?: number } = {}): EmailRenderer {
  const maxTemplates = options.maxTemplates ?? 200;
  const cache = new Map<string, Promise<CompiledTemplate>>();
  // Two engines: Liquid applies its output escape when a template is parsed, and HTML bodies
  // escape every {{ value }} (a customer named <script> stays text) while subjects and text
  // bodies do not.
  const engines = { html: liquidEngine(true), text: liquidEngine(false) };

  async function compiled(template: EmailTemplate): Promise<CompiledTemplate> {
    const key = `${template.id}:${createHash('sha256')
      .update(JSON.stringify([template.format, template.subject, template.body]))
      .digest('base64url')}`;
    let entry = cache.get(key);
    if (entry) {
      cache.delete(key);
    } else {
      entry = compile(engines, template);
      // A failed compile is not kept: fixing the template changes its hash anyway, but a
      // transient failure must not stick.
      entry.catch(() => cache.delete(key));
    }
    cache.set(key, entry);
    while (cache.size > maxTemplates) cache.delete(cache.keys().next().value!);
    return entry;
  }

  return {
    cachedTemplates: () => cache.size,
    async render(input) {
      const { template } = input;
      checkInput(input);
      const compiledTemplate = await compiled(template);
      const variables = variablesOf(input);
      const subject = (await renderPart(engines.text, template.id, 'subject', compiledTemplate.subject, variables)).replace(/\s+/g, ' ').trim();
      if (subject === '')
        throw new EmailRenderError(`Template ${template.id}: the subject is empty once rendered.`, { templateId: template.id, part: 'subject' });
      if (subject.length > RENDER_LIMITS.subjectChars)
        throw new EmailRenderError(`Template ${template.id}: the rendered subject has ${subject.length} characters, more than ${RENDER_LIMITS.subjectChars}.`, {
          templateId: template.id,
          part: 'subject',
        });
      const footer = {
        purpose: input.purpose,
        sender: input.sender,
        reasonText: input.reasonText?.trim() || null,
        unsubscribeUrl: input.unsubscribeUrl ?? null,
        whyUrl: input.whyUrl ?? null,
      };
      const isHtml = compiledTemplate.format !== 'text';
      const body = await renderPart(isHtml ? engines.html : engines.text, template.id, 'body', compiledTemplate.body, variables);
      if (!isHtml) {
        return {
          subject,
          html: null,
          text: `${body.trimEnd()}${footerText(footer)}`,
          purpose: input.purpose,
          unsubscribeUrl: footer.unsubscribeUrl,
          templateId: template.id,
        };
      }
      const html = withFooter(body, footerHtml(footer));
      const text = compiledTemplate.text
        ? `${(await renderPart(engines.text, template.id, 'body', compiledTemplate.text, variables)).trimEnd()}${footerText(footer)}`
        : htmlToText(html);
      return { subject, html, text, purpose: input.purpose, unsubscribeUrl: footer.unsubscribeUrl, templateId: template.id };
    },
  };
}

function checkInput(input: EmailRenderInput): void {
  const { template } = input;
  const refuse = (message: string, part: 'settings' | 'input' = 'input') => {
    throw new EmailRenderError(`Template ${template.id}: ${message}`, { templateId: template.id, part });
  };
  if (template.channel !== 'email') refuse(`a ${template.channel} template cannot be sent as email.`);
  if (template.status !== 'published' && !input.preview) refuse('only a published template can be sent (publishing checks it against the charter).');
  if (!template.subject?.trim()) refuse('an email template needs a subject.');
  if ((input.reasonText?.length ?? 0) > RENDER_LIMITS.reasonChars) refuse(`the reason text has more than ${RENDER_LIMITS.reasonChars} characters.`);
  if (input.purpose === 'marketing') {
    const missing = missingSenderSettings(input.sender);
    if (missing.length > 0) refuse(`advertising mail needs the sender settings ${missing.join(', ')} (特定電子メール法 第4条).`, 'settings');
    if (!input.unsubscribeUrl) refuse('advertising mail needs its one-click unsubscribe link.');
    if (!input.reasonText?.trim()) refuse('advertising mail needs the reason text (「このメールをお送りした理由」).');
  }
}

function variablesOf(input: EmailRenderInput): EmailVariables {
  return {
    customer: { name: input.customer.name ?? '', email: input.customer.email, id: input.customer.id },
    product: { name: input.product?.name ?? '', sku: input.product?.sku ?? '' },
    days_since_delivery: input.daysSinceDelivery ?? null,
    reason: { text: input.reasonText ?? '', url: input.whyUrl ?? '' },
    unsubscribe_url: input.unsubscribeUrl ?? '',
    sender: { name: input.sender.senderName ?? '' },
  };
}

function liquidEngine(escapeOutput: boolean): Liquid {
  return new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    renderLimit: RENDER_LIMITS.renderMs,
    memoryLimit: RENDER_LIMITS.memoryBytes,
    parseLimit: 1_000_000,
    // In-memory templates and none of them: include, render and layout find no file of the server.
    templates: {},
    ...(escapeOutput ? { outputEscape: 'escape' as const } : {}),
  });
}

async function compile(engines: { html: Liquid; text: Liquid }, template: EmailTemplate): Promise<CompiledTemplate> {
  let body = template.body;
  if (template.format === 'mjml') {
    try {
      // ignoreIncludes: <mj-include> must not read files of the server.
      body = withoutIndentation((await mjml2html(template.body, { validationLevel: 'strict', ignoreIncludes: true, keepComments: false })).html);
    } catch (error) {
      const errors = (error as { errors?: { formattedMessage?: string; message?: string }[] }).errors;
      const reason = errors?.length ? errors.map((e) => e.formattedMessage ?? e.message).join('; ') : (error as Error).message;
      throw new EmailRenderError(`Template ${template.id}: the MJML is not valid: ${reason}`, { templateId: template.id, part: 'body' });
    }
  }
  return {
    format: template.format,
    subject: parsePart(engines.text, template.id, 'subject', template.subject ?? ''),
    body: parsePart(template.format === 'text' ? engines.text : engines.html, template.id, 'body', body),
    text: template.format === 'text' ? null : textTemplateOf(engines.text, body),
  };
}

/**
 * MJML's HTML without the indentation of its lines (about a quarter of its bytes, sent with every
 * message): a line break stays, so browsers and mail clients collapse the same whitespace as
 * before; HTML that keeps whitespace as written (`<pre>`, `<textarea>`, `white-space: pre…`) is
 * left as it is.
 */
function withoutIndentation(html: string): string {
  if (/<(pre|textarea)\b|white-space\s*:\s*pre/i.test(html)) return html;
  return html.replace(/\n[ \t]+/g, '\n');
}

const TEXT_OPTIONS = { wordwrap: 78, selectors: [{ selector: 'img', format: 'skip' }] };

function htmlToText(html: string): string {
  return convert(html, TEXT_OPTIONS);
}

/** A Liquid tag or output in a template's source. */
const LIQUID_MARKUP = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const PLACEHOLDER = /KZLQ(\d+)Q/g;

/**
 * The text part of an HTML template, converted once per template version instead of once per
 * customer (html-to-text costs more than the rest of a send): every Liquid tag and output of
 * the HTML is set aside as a placeholder word (capitals and digits, so no conversion changes
 * it), the HTML converted to text, and the placeholders put back. Null when that cannot be
 * trusted — a tag (`{% … %}`) lost or doubled in the conversion (one inside an attribute, in the
 * head), or the result does not parse: the text is then converted from each rendered HTML.
 * Outputs in dropped places (an image's address) may vanish, as they would from the text.
 */
function textTemplateOf(liquid: Liquid, html: string): Template[] | null {
  if (new RegExp(PLACEHOLDER.source).test(html)) return null;
  const markup: string[] = [];
  const converted = htmlToText(html.replace(LIQUID_MARKUP, (found) => `KZLQ${markup.push(found) - 1}Q`));
  const seen = new Map<number, number>();
  for (const match of converted.matchAll(PLACEHOLDER)) seen.set(Number(match[1]), (seen.get(Number(match[1])) ?? 0) + 1);
  if (markup.some((found, index) => found.startsWith('{%') && seen.get(index) !== 1)) return null;
  if ([...seen.keys()].some((index) => index >= markup.length)) return null;
  try {
    return liquid.parse(converted.replace(PLACEHOLDER, (_, index: string) => markup[Number(index)]!));
  } catch {
    return null;
  }
}

function parsePart(liquid: Liquid, templateId: string, part: 'subject' | 'body', source: string): Template[] {
  try {
    return liquid.parse(source);
  } catch (error) {
    throw new EmailRenderError(`Template ${templateId}: the Liquid in the ${part} does not parse: ${(error as Error).message}`, { templateId, part });
  }
}

async function renderPart(liquid: Liquid, templateId: string, part: 'subject' | 'body', parsed: Template[], variables: EmailVariables): Promise<string> {
  let output: unknown;
  try {
    output = await liquid.render(parsed, variables);
  } catch (error) {
    const reason = error instanceof LiquidError ? error.message : String(error);
    throw new EmailRenderError(`Template ${templateId}: the ${part} cannot be rendered: ${reason}`, { templateId, part });
  }
  const text = String(output);
  if (text.length > RENDER_LIMITS.bodyChars)
    throw new EmailRenderError(`Template ${templateId}: the rendered ${part} has ${text.length} characters, more than ${RENDER_LIMITS.bodyChars}.`, {
      templateId,
      part,
    });
  return text;
}
