import type { SenderSettings } from './sender-settings.ts';

/** What the footer shows; the caller has checked that advertising mail has every required field. */
export interface FooterInput {
  purpose: 'marketing' | 'transactional';
  sender: SenderSettings;
  /** Why this customer receives this mail, in words (「このメールをお送りした理由」). */
  reasonText: string | null;
  /** The one-click link; present for advertising mail. */
  unsubscribeUrl: string | null;
  /** The page that explains the reason (why-token.ts: `<publicUrl>/why/<token>`), linked under it; absent: no link. */
  whyUrl?: string | null;
}

/** The words of the link to the reason page. */
export const WHY_LINK_LABEL = 'お送りした理由の詳細（Why you received this email）';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const OPT_OUT_STATEMENT =
  'このメールは、配信を希望された方にお送りしている広告・宣伝メールです。今後の配信を希望されない場合は、下の「配信停止」から手続きできます（ワンクリックで完了します）。';

function contactLines(sender: SenderSettings): string[] {
  const lines: string[] = [];
  if (sender.contactEmail) lines.push(`メール: ${sender.contactEmail}`);
  if (sender.contactPhone) lines.push(`電話: ${sender.contactPhone}`);
  if (sender.contactUrl) lines.push(`Web: ${sender.contactUrl}`);
  return lines;
}

/**
 * The footer of every mail as HTML: the reason section (with the link to the page that explains
 * it, when given), then the sender's identity (name,
 * postal address, enquiry contacts: 特定電子メール法 第4条) and, for advertising mail, the
 * opt-out statement with a visible 「配信停止」 link. Every inserted value is escaped. Text and
 * links are full size and dark on light: tiny or faint legal text is a violation risk.
 */
export function footerHtml(input: FooterInput): string {
  const { sender } = input;
  const p = 'margin:0 0 8px 0;';
  const parts: string[] = [];
  if (input.reasonText) {
    parts.push(`<p style="${p}font-weight:bold;">このメールをお送りした理由</p>`, `<p style="${p}">${escapeHtml(input.reasonText)}</p>`);
  }
  if (input.whyUrl) {
    parts.push(`<p style="${p}"><a href="${escapeHtml(input.whyUrl)}" style="color:#1a4fa0;text-decoration:underline;">${escapeHtml(WHY_LINK_LABEL)}</a></p>`);
  }
  const identity = [
    sender.senderName ? `送信者: ${escapeHtml(sender.senderName)}` : null,
    sender.postalAddress ? `住所: ${escapeHtml(sender.postalAddress)}` : null,
    ...contactLines(sender).map((line, i) => `${i === 0 ? 'お問い合わせ: ' : ''}${escapeHtml(line)}`),
  ].filter((line): line is string => line !== null);
  if (identity.length > 0) parts.push(`<p style="${p}">${identity.join('<br>')}</p>`);
  if (input.purpose === 'marketing' && input.unsubscribeUrl) {
    parts.push(
      `<p style="${p}">${escapeHtml(OPT_OUT_STATEMENT)}</p>`,
      `<p style="${p}"><a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#1a4fa0;text-decoration:underline;">配信停止</a></p>`,
    );
  }
  return `<div class="kizuna-footer" style="margin-top:24px;padding:16px;border-top:1px solid #cccccc;font-size:14px;line-height:1.6;color:#333333;">${parts.join('')}</div>`;
}

/** The same footer as plain text, for templates written as text. */
export function footerText(input: FooterInput): string {
  const { sender } = input;
  const blocks: string[] = [];
  const reason = [input.reasonText, input.whyUrl ? `${WHY_LINK_LABEL}: ${input.whyUrl}` : null].filter((line): line is string => Boolean(line));
  if (reason.length > 0) blocks.push(`■ このメールをお送りした理由\n${reason.join('\n')}`);
  const identity = [
    sender.senderName ? `送信者: ${sender.senderName}` : null,
    sender.postalAddress ? `住所: ${sender.postalAddress}` : null,
    ...contactLines(sender).map((line, i) => `${i === 0 ? 'お問い合わせ: ' : ''}${line}`),
  ].filter((line): line is string => line !== null);
  if (identity.length > 0) blocks.push(identity.join('\n'));
  if (input.purpose === 'marketing' && input.unsubscribeUrl) blocks.push(`${OPT_OUT_STATEMENT}\n配信停止: ${input.unsubscribeUrl}`);
  return `\n\n${'-'.repeat(40)}\n${blocks.join('\n\n')}\n`;
}

/** The HTML with the footer placed before `</body>` (or at the end when there is none). */
export function withFooter(html: string, footer: string): string {
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at < 0 ? `${html}${footer}` : `${html.slice(0, at)}${footer}${html.slice(at)}`;
}
