import nodemailer, { type Transporter } from 'nodemailer';

/** The SMTP transport mail goes out through. */
export type SmtpTransport = Transporter;

/** Connection pooling Kizuna asks of nodemailer unless the URL says otherwise. */
export const SMTP_POOL_DEFAULTS = { pool: 'true', maxConnections: '8', maxMessages: '1000' } as const;

/**
 * A nodemailer transport for `KIZUNA_SMTP_URL` (smtp://host:port, smtps://user:password@host:465;
 * nodemailer reads options from the query). Pooled by default: up to 8 connections kept open,
 * each used for up to 1,000 messages (SMTP_POOL_DEFAULTS), so the performer's sends in flight
 * share open connections instead of opening one per message; the query overrides each
 * (`?maxConnections=2`, `?pool=false` for a connection per message). One per process; close it
 * with `transport.close()`.
 */
export function createSmtpTransport(url: string): SmtpTransport {
  return nodemailer.createTransport(withPoolDefaults(url));
}

/** The URL with SMTP_POOL_DEFAULTS added for the options its query does not set. */
export function withPoolDefaults(url: string): string {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(SMTP_POOL_DEFAULTS)) if (!parsed.searchParams.has(name)) parsed.searchParams.set(name, value);
  return parsed.toString();
}
