import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the sink accepted: the envelope, the raw source and the parsed message. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:<port> for KIZUNA_SMTP_URL / createSmtpTransport. */
  url: string;
  received: ReceivedMail[];
  /** Recipients the sink refuses with 550 (a hard bounce at the SMTP stage). */
  refuse: Set<string>;
  /** Recipients the sink defers with 451 (try again later: a 4xx, e.g. greylisting). */
  defer: Set<string>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback (smtp-server) that keeps what it receives, parsed with mailparser. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const defer = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address)) {
        const error = Object.assign(new Error('5.1.1 user unknown'), { responseCode: 550 });
        callback(error);
        return;
      }
      if (defer.has(address.address)) {
        callback(Object.assign(new Error('4.7.1 try again later'), { responseCode: 451 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
            });
            callback();
          })
          .catch(callback);
      });
    },
  });
  // A client that vanishes mid-session (a worker killed with SIGKILL) resets its connection: a
  // real SMTP server carries on, and so does this one.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse,
    defer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
