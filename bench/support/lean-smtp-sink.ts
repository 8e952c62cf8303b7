import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the sink accepted: its Message-ID header, its first recipient and when its DATA ended (performance.now()). */
export interface Arrival {
  messageId: string;
  to: string;
  at: number;
}

export interface LeanSmtpSink {
  /** smtp://127.0.0.1:<port> for createSmtpTransport. */
  url: string;
  /** Every message accepted, in order of arrival. */
  arrivals: Arrival[];
  /** Called for each message accepted (after it is recorded). */
  onArrival: ((arrival: Arrival) => void) | null;
  /** Resolves once `count` messages have been accepted in all. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const MESSAGE_ID = /^message-id:[ \t]*(?:\r\n[ \t]+)?(<[^>\r\n]*>)/im;

/**
 * A real SMTP server on loopback (smtp-server) for benchmarks: unlike test/support/smtp-sink.ts
 * it parses nothing but the Message-ID header (read from the header block only, before the first
 * empty line) and keeps no bodies, so the sink is not the bottleneck of a throughput run.
 */
export async function startLeanSmtpSink(): Promise<LeanSmtpSink> {
  const arrivals: Arrival[] = [];
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  const sink: LeanSmtpSink = {
    url: '',
    arrivals,
    onArrival: null,
    waitFor(count) {
      if (arrivals.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      let head: Buffer = Buffer.alloc(0);
      let headerDone = false;
      stream.on('data', (chunk: Buffer) => {
        if (headerDone) return;
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        const end = head.indexOf(HEADER_END);
        if (end >= 0) {
          head = head.subarray(0, end + 2);
          headerDone = true;
        }
      });
      stream.on('end', () => {
        const match = MESSAGE_ID.exec(head.toString('latin1'));
        const arrival: Arrival = {
          messageId: match?.[1] ?? '',
          to: session.envelope.rcptTo[0]?.address ?? '',
          at: performance.now(),
        };
        arrivals.push(arrival);
        sink.onArrival?.(arrival);
        if (waiters.length > 0) {
          const ready = waiters.filter((waiter) => arrivals.length >= waiter.count);
          if (ready.length > 0) {
            waiters = waiters.filter((waiter) => arrivals.length < waiter.count);
            for (const waiter of ready) waiter.resolve();
          }
        }
        callback();
      });
    },
  });
  // A client that vanishes mid-session (a worker killed with SIGKILL) resets its connection: a
  // real SMTP server carries on, and so does this one.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  sink.url = `smtp://127.0.0.1:${port}`;
  return sink;
}
