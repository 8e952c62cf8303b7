import net, { type AddressInfo } from 'node:net';

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

const CRLF = Buffer.from('\r\n');
const END_OF_DATA = Buffer.from('\r\n.\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MESSAGE_ID = /^message-id:[ \t]*(?:\r\n[ \t]+)?(<[^>\r\n]*>)/im;
const EHLO_REPLY = '250-sink.invalid\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760';

/**
 * An SMTP server on loopback for benchmarks, in the spirit of Postfix's smtp-sink: it speaks the
 * protocol nodemailer and any MTA speak (EHLO with PIPELINING, MAIL, RCPT, DATA, RSET, NOOP,
 * QUIT; replies to pipelined commands in one write), accepts every message, and keeps only its
 * Message-ID header, its first recipient and its time of arrival. The end of DATA is found with
 * Buffer.indexOf, so the sink costs a few microseconds per message and leaves the shared cores
 * to what is measured: smtp-server, the full server the tests use (test/support/smtp-sink.ts),
 * spends 90–140 µs of CPU per message here on its own parsing. Kizuna and the nodemailer
 * baseline send to the same sink.
 */
export async function startLeanSmtpSink(): Promise<LeanSmtpSink> {
  const arrivals: Arrival[] = [];
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  const sockets = new Set<net.Socket>();
  const accept = (message: Buffer, to: string) => {
    const headerEnd = message.indexOf(HEADER_END);
    const header = message.subarray(0, headerEnd >= 0 ? headerEnd + 2 : message.length).toString('latin1');
    const arrival: Arrival = { messageId: MESSAGE_ID.exec(header)?.[1] ?? '', to, at: performance.now() };
    arrivals.push(arrival);
    sink.onArrival?.(arrival);
    if (waiters.length > 0) {
      const ready = waiters.filter((waiter) => arrivals.length >= waiter.count);
      if (ready.length > 0) {
        waiters = waiters.filter((waiter) => arrivals.length < waiter.count);
        for (const waiter of ready) waiter.resolve();
      }
    }
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    // A client that vanishes mid-session (a worker killed with SIGKILL) resets its connection: a
    // real SMTP server carries on, and so does this one.
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.write('220 sink.invalid ESMTP\r\n');
    let pending: Buffer = Buffer.alloc(0);
    let inData = false;
    let recipients: string[] = [];
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const replies: string[] = [];
      let quit = false;
      for (;;) {
        if (inData) {
          // The data starts right after the 354 reply: an empty message is ".\r\n" at once.
          const end = pending.subarray(0, 3).equals(Buffer.from('.\r\n')) ? -2 : pending.indexOf(END_OF_DATA);
          if (end === -1) break;
          accept(end === -2 ? Buffer.alloc(0) : pending.subarray(0, end + 2), recipients[0] ?? '');
          pending = pending.subarray(end === -2 ? 3 : end + END_OF_DATA.length);
          inData = false;
          recipients = [];
          replies.push('250 2.0.0 Ok: queued');
          continue;
        }
        const eol = pending.indexOf(CRLF);
        if (eol < 0) break;
        const line = pending.subarray(0, eol).toString('latin1');
        pending = pending.subarray(eol + 2);
        switch (line.slice(0, 4).toUpperCase()) {
          case 'EHLO':
            replies.push(EHLO_REPLY);
            break;
          case 'HELO':
            replies.push('250 sink.invalid');
            break;
          case 'MAIL':
            recipients = [];
            replies.push('250 2.1.0 Ok');
            break;
          case 'RCPT':
            recipients.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
            replies.push('250 2.1.5 Ok');
            break;
          case 'DATA':
            if (recipients.length === 0) {
              replies.push('554 5.5.1 No valid recipients');
              break;
            }
            inData = true;
            replies.push('354 End data with <CR><LF>.<CR><LF>');
            break;
          case 'RSET':
            recipients = [];
            replies.push('250 2.0.0 Ok');
            break;
          case 'NOOP':
            replies.push('250 2.0.0 Ok');
            break;
          case 'QUIT':
            replies.push('221 2.0.0 Bye');
            quit = true;
            break;
          default:
            replies.push('502 5.5.2 Command not recognized');
        }
        if (quit) break;
      }
      if (replies.length > 0) socket.write(`${replies.join('\r\n')}\r\n`);
      if (quit) socket.end();
    });
  });
  const sink: LeanSmtpSink = {
    url: '',
    arrivals,
    onArrival: null,
    waitFor(count) {
      if (arrivals.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  sink.url = `smtp://127.0.0.1:${port}`;
  return sink;
}
