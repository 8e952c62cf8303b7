import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { parseConnectionUrl } from 'nodemailer/lib/shared';

/** The envelope of one message: MAIL FROM and RCPT TO. */
export interface SmtpEnvelope {
  from: string;
  to: string[];
}

/** What the SMTP server answered to a message it accepted. */
export interface SmtpSent {
  /** The server's reply to the end of DATA, e.g. "250 OK: queued as …". */
  response: string;
}

/**
 * The SMTP transport mail goes out through: one complete message (RFC 5322 bytes, see
 * composeMessage in mime.ts) per call. A refusal by the server rejects with an Error carrying
 * nodemailer's `responseCode` (4xx: try again later; 5xx: refused for good); a lost or failed
 * connection rejects without one.
 */
export interface SmtpTransport {
  send(envelope: SmtpEnvelope, message: Buffer): Promise<SmtpSent>;
  /** Ends every connection (QUIT); sends after it fail. */
  close(): void;
}

/** Connection pooling unless the URL's query says otherwise (`?maxConnections=2`, `?maxMessages=100`, `?pool=false`). */
export const SMTP_POOL_DEFAULTS = { maxConnections: 8, maxMessages: 1000 } as const;

/** An idle pooled connection is ended after this long (servers drop idle clients after a few minutes anyway). */
export const SMTP_IDLE_MS = 30_000;

/**
 * A transport for `KIZUNA_SMTP_URL` (smtp://host:port, smtps://user:password@host:465; the
 * query sets nodemailer's connection options, e.g. `?requireTLS=true`). Messages go over
 * nodemailer's SMTPConnection (PIPELINING, STARTTLS, AUTH), several connections at once:
 *
 * - up to `maxConnections` open connections (default 8), each sending one message at a time;
 *   a send waits for a free connection (first come, first served) when all are busy;
 * - a connection is replaced after `maxMessages` messages (default 1,000), ended after
 *   SMTP_IDLE_MS idle, and dropped on any error (the next send opens a fresh one);
 * - `?pool=false`: a connection per message.
 *
 * The message is handed over as it is: composing it (once per send, cheaply) is mime.ts's
 * work, so a send costs the SMTP exchange only. One transport per process; `close()` ends it.
 */
export function createSmtpTransport(url: string): SmtpTransport {
  const parsed = parseConnectionUrl(url);
  const pooled = parsed.pool !== false && parsed.pool !== 'false';
  const maxConnections = pooled ? positive(parsed.maxConnections, SMTP_POOL_DEFAULTS.maxConnections) : Number.POSITIVE_INFINITY;
  const maxMessages = pooled ? positive(parsed.maxMessages, SMTP_POOL_DEFAULTS.maxMessages) : 1;
  const { auth, pool: _pool, maxConnections: _max, maxMessages: _messages, ...rest } = parsed;
  const options: SMTPConnectionOptions = { ...(rest as SMTPConnectionOptions), name: (rest.name as string | undefined) ?? 'kizuna' };

  interface Pooled {
    connection: SMTPConnection;
    sent: number;
    broken: boolean;
    idle: NodeJS.Timeout | null;
  }
  const idle: Pooled[] = [];
  const open = new Set<Pooled>();
  let opening = 0;
  const waiting: Array<{ resolve: (entry: Pooled) => void; reject: (error: unknown) => void }> = [];
  let closed = false;

  const drop = (entry: Pooled) => {
    entry.broken = true;
    if (entry.idle) clearTimeout(entry.idle);
    open.delete(entry);
    const at = idle.indexOf(entry);
    if (at >= 0) idle.splice(at, 1);
  };

  const connect = async (): Promise<Pooled> => {
    const connection = new SMTPConnection(options);
    const entry: Pooled = { connection, sent: 0, broken: false, idle: null };
    // An error or the server's end on an idle connection takes it out of the pool; during a
    // send the send's callback reports it.
    connection.on('error', () => drop(entry));
    connection.on('end', () => drop(entry));
    await new Promise<void>((resolve, reject) => {
      connection.connect((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    if (auth) {
      await new Promise<void>((resolve, reject) => {
        connection.login(auth, (error?: Error | null) => (error ? reject(error) : resolve()));
      });
    }
    open.add(entry);
    return entry;
  };

  const acquire = async (): Promise<Pooled> => {
    if (closed) throw new Error('The SMTP transport is closed.');
    for (;;) {
      const entry = idle.pop();
      if (!entry) break;
      if (entry.idle) clearTimeout(entry.idle);
      entry.idle = null;
      if (!entry.broken) return entry;
    }
    if (open.size + opening < maxConnections) {
      opening++;
      try {
        return await connect();
      } finally {
        opening--;
      }
    }
    return new Promise<Pooled>((resolve, reject) => waiting.push({ resolve, reject }));
  };

  /** A send is over: the connection serves the next waiting send, waits idle, or is ended. */
  const release = (entry: Pooled) => {
    if (!entry.broken && (entry.sent >= maxMessages || closed)) {
      drop(entry);
      entry.connection.quit();
    }
    const next = waiting.shift();
    if (!entry.broken) {
      if (next) return next.resolve(entry);
      entry.idle = setTimeout(() => {
        drop(entry);
        entry.connection.quit();
      }, SMTP_IDLE_MS);
      entry.idle.unref();
      idle.push(entry);
      return;
    }
    // The connection is gone: a waiting send opens one of its own in its place.
    if (next) acquire().then(next.resolve, next.reject);
  };

  return {
    async send(envelope, message) {
      const entry = await acquire();
      try {
        const info = await new Promise<{ response?: string }>((resolve, reject) => {
          entry.connection.send(envelope, message, (error, result) => (error ? reject(error) : resolve(result as { response?: string })));
        });
        entry.sent++;
        return { response: String(info.response ?? '') };
      } catch (error) {
        // After a refusal or a failure the connection's state is not known: a fresh one serves the next send.
        drop(entry);
        entry.connection.close();
        throw error;
      } finally {
        release(entry);
      }
    },
    close() {
      closed = true;
      for (const entry of [...open]) {
        drop(entry);
        entry.connection.quit();
      }
      for (const waiter of waiting.splice(0)) waiter.reject(new Error('The SMTP transport is closed.'));
    },
  };
}

function positive(value: unknown, fallback: number): number {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : fallback;
}
