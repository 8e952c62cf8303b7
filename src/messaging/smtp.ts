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
  /** Ends every connection (QUIT; one in the middle of a send once the send is over); sends after it fail, sends waiting for a connection too. */
  close(): void;
}

/** Connection pooling unless the URL's query says otherwise (`?maxConnections=2`, `?maxMessages=100`, `?pool=false`). */
export const SMTP_POOL_DEFAULTS = { maxConnections: 8, maxMessages: 1000 } as const;

/** An idle pooled connection is ended after this long (servers drop idle clients after a few minutes anyway). */
export const SMTP_IDLE_MS = 30_000;

/** How long a server has to answer QUIT before the connection is closed without its answer. */
const QUIT_ANSWER_MS = 5_000;

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
  /**
   * Every connection from its start until it has ended, the ones connecting and the ones saying
   * QUIT included: what counts against maxConnections, as the server counts them.
   */
  const live = new Set<Pooled>();
  const waiting: Array<{ resolve: (entry: Pooled) => void; reject: (error: unknown) => void }> = [];
  let closed = false;

  /** Out of the pool: no send gets the connection any more (it may still be ending). */
  const drop = (entry: Pooled) => {
    entry.broken = true;
    if (entry.idle) clearTimeout(entry.idle);
    const at = idle.indexOf(entry);
    if (at >= 0) idle.splice(at, 1);
  };

  /**
   * Ends a connection that is done (QUIT). It keeps its place until the server has answered: a
   * server that does not within QUIT_ANSWER_MS has the connection closed under it.
   */
  const retire = (entry: Pooled) => {
    drop(entry);
    entry.connection.quit();
    setTimeout(() => entry.connection.close(), QUIT_ANSWER_MS).unref();
  };

  /** The connection has ended: its place is free for a waiting send. */
  const ended = (entry: Pooled) => {
    drop(entry);
    if (live.delete(entry)) dispatch();
  };

  const connect = async (): Promise<Pooled> => {
    const connection = new SMTPConnection(options);
    const entry: Pooled = { connection, sent: 0, broken: false, idle: null };
    live.add(entry);
    // An error takes the connection out of the pool, its end frees its place; during a send the
    // send's callback reports the error.
    connection.on('error', () => drop(entry));
    connection.on('end', () => ended(entry));
    try {
      await untilReady(connection, (done) => connection.connect(done));
      if (auth) await untilReady(connection, (done) => connection.login(auth, done));
    } catch (error) {
      connection.close();
      ended(entry);
      throw error;
    }
    return entry;
  };

  const takeIdle = (): Pooled | undefined => {
    for (;;) {
      const entry = idle.pop();
      if (!entry) return undefined;
      if (entry.idle) clearTimeout(entry.idle);
      entry.idle = null;
      if (!entry.broken) return entry;
    }
  };

  /** Serves the waiting sends, first come first served, while there is an idle connection or room for a new one. */
  const dispatch = () => {
    while (waiting.length > 0) {
      const entry = takeIdle();
      if (entry) waiting.shift()!.resolve(entry);
      else if (live.size < maxConnections) {
        const next = waiting.shift()!;
        // A connection that fails to open fails the send it was opened for.
        connect().then(next.resolve, next.reject);
      } else return;
    }
  };

  const acquire = async (): Promise<Pooled> => {
    if (closed) throw new Error('The SMTP transport is closed.');
    const entry = waiting.length === 0 ? takeIdle() : undefined;
    if (entry) return entry;
    if (waiting.length === 0 && live.size < maxConnections) return connect();
    return new Promise<Pooled>((resolve, reject) => waiting.push({ resolve, reject }));
  };

  /** A send is over: the connection serves the next waiting send, waits idle, or is ended. */
  const release = (entry: Pooled) => {
    if (!entry.broken && (entry.sent >= maxMessages || closed)) retire(entry);
    if (entry.broken) return dispatch();
    const next = waiting.shift();
    if (next) return next.resolve(entry);
    entry.idle = setTimeout(() => retire(entry), SMTP_IDLE_MS);
    entry.idle.unref();
    idle.push(entry);
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
      // Idle connections end now; a connection in the middle of a send ends when the send is
      // over (release), so the send gets its answer (a QUIT sent over it would cut it short).
      for (const entry of [...idle]) retire(entry);
      for (const waiter of waiting.splice(0)) waiter.reject(new Error('The SMTP transport is closed.'));
    },
  };
}

/**
 * One step of opening a connection (connect, login). A failure before the step is done (a refused
 * connection, a 421 greeting, a reset) comes as the connection's 'error' or 'end' event, not to
 * the step's callback, so those settle it too.
 */
function untilReady(connection: SMTPConnection, step: (done: (error?: Error | null) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => finish(error);
    const ended = () => finish(new Error('The SMTP server closed the connection before it was ready.'));
    function finish(error?: Error | null) {
      connection.off('error', failed);
      connection.off('end', ended);
      if (error) reject(error);
      else resolve();
    }
    connection.once('error', failed);
    connection.once('end', ended);
    step(finish);
  });
}

function positive(value: unknown, fallback: number): number {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : fallback;
}
