import nodemailer, { type Transporter } from 'nodemailer';

/** The SMTP transport mail goes out through. */
export type SmtpTransport = Transporter;

/**
 * A nodemailer transport for `KIZUNA_SMTP_URL` (smtp://host:port, smtps://user:password@host:465;
 * nodemailer reads options from the query, e.g. `?pool=true&maxConnections=5`). One per
 * process; close it with `transport.close()`.
 */
export function createSmtpTransport(url: string): SmtpTransport {
  return nodemailer.createTransport(url);
}
