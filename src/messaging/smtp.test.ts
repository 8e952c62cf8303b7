import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it, vi } from 'vitest';
import { startSmtpSink } from '../../test/support/smtp-sink.ts';
import { composeMessage } from './mime.ts';
import { createSmtpTransport, type SmtpSent, type SmtpTransport } from './smtp.ts';

/** The pooled SMTP transport against real SMTP servers on loopback. */

const FROM = 'news@minori.example.jp';

function messageId(n: number): string {
  return `<smtp-${n}@minori.example.jp>`;
}

/** Message number n to r{n}@example.jp, as sendEmail composes it. */
function message(n: number, to = `r${n}@example.jp`): Promise<Buffer> {
  return composeMessage({
    from: { name: 'みのり青汁本舗', address: FROM },
    to,
    subject: `ご案内 ${n}`,
    text: `${n}通目のご案内です。`,
    html: `<p>${n}通目のご案内です。</p>`,
    messageId: messageId(n),
    date: new Date('2026-12-07T17:00:05Z'),
  });
}

async function send(transport: SmtpTransport, n: number, to = `r${n}@example.jp`): Promise<SmtpSent> {
  return transport.send({ from: FROM, to: [to] }, await message(n, to));
}

/** Messages first…first+count-1 sent with `inFlight` sends at a time; the outcomes in order, and the most sends seen in flight at once. */
async function sendMany(transport: SmtpTransport, count: number, inFlight: number, first = 1) {
  const outcomes: Array<PromiseSettledResult<SmtpSent>> = new Array(count);
  let next = 0;
  let busy = 0;
  let maxBusy = 0;
  const worker = async () => {
    while (next < count) {
      const at = next++;
      busy++;
      maxBusy = Math.max(maxBusy, busy);
      try {
        outcomes[at] = { status: 'fulfilled', value: await send(transport, first + at) };
      } catch (reason) {
        outcomes[at] = { status: 'rejected', reason };
      } finally {
        busy--;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { outcomes, maxInFlight: maxBusy };
}

function range(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, at) => messageId(first + at));
}

/**
 * A tiny SMTP server (smtp-server) that counts the sessions (TCP connections) a client opens: how
 * many in all (`sessions`), how many open now and the most at once (`open`, `maxOpen`), and the
 * most at once between connecting and QUIT (`maxActive`: a client that has had its QUIT answered
 * is done with a connection, though the server sees the TCP close a moment later). It keeps the
 * Message-ID of each message it accepts and refuses the recipients in `refuse` (550). `port`
 * restarts one on the port of an earlier one.
 */
async function startCountingServer(port = 0) {
  const sockets = new Set<Socket>();
  const state = { sessions: 0, open: 0, maxOpen: 0, active: 0, maxActive: 0, messageIds: [] as string[], refuse: new Set<string>() };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    // a server shutting down ends its sessions at once (421) rather than waiting 30 s for them
    closeTimeout: 1,
    onRcptTo(address, _session, callback) {
      callback(state.refuse.has(address.address) ? Object.assign(new Error('5.1.1 user unknown'), { responseCode: 550 }) : undefined);
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const id = /^Message-ID: (.*)$/im.exec(Buffer.concat(chunks).toString('latin1'))?.[1];
        if (id) state.messageIds.push(id.trim());
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: Socket) => {
    state.sessions++;
    state.open++;
    state.maxOpen = Math.max(state.maxOpen, state.open);
    state.active++;
    state.maxActive = Math.max(state.maxActive, state.active);
    sockets.add(socket);
    let active = true;
    const inactive = () => {
      if (active) state.active--;
      active = false;
    };
    socket.on('data', (chunk: Buffer) => {
      if (/(^|\r\n)QUIT\r\n/.test(chunk.toString('latin1'))) inactive();
    });
    socket.once('close', () => {
      inactive();
      state.open--;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.server.address() as AddressInfo;
  const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
  return {
    state,
    port: address.port,
    url: `smtp://127.0.0.1:${address.port}`,
    /** Ends every open session as a server's idle timeout does (RFC 5321 §4.5.3.2: 421, then close), once each is closed. */
    async timeOutSessions(): Promise<void> {
      const open = [...sockets];
      for (const socket of open) socket.end('421 4.4.2 minori.example.jp Error: timeout exceeded\r\n');
      await Promise.all(open.map(closed));
    },
    /** Stops listening and ends the open sessions (421 Server shutting down), once each is closed. */
    async close(): Promise<void> {
      const open = [...sockets];
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(open.map(closed));
    },
  };
}

/** A counting server and a transport to it (the URL's query: `query`) for the length of `run`; both closed after. */
async function withCountingServer(
  query: string,
  run: (server: Awaited<ReturnType<typeof startCountingServer>>, transport: SmtpTransport) => Promise<void>,
): Promise<void> {
  const server = await startCountingServer();
  const transport = createSmtpTransport(`${server.url}?${query}`);
  try {
    await run(server, transport);
  } finally {
    transport.close();
    await server.close();
  }
}

describe('the SMTP transport', { timeout: 10_000 }, () => {
  it('delivers 200 messages sent 32 at a time exactly once each over 3 connections, never more at once (maxConnections=3)', async () => {
    await withCountingServer('maxConnections=3', async (server, transport) => {
      const { outcomes, maxInFlight } = await sendMany(transport, 200, 32);
      expect(maxInFlight).toBe(32);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      expect(outcomes.map((outcome) => outcome.status === 'fulfilled' && outcome.value.response)).toEqual(Array(200).fill(expect.stringMatching(/^250\b/)));
      expect([...server.state.messageIds].sort()).toEqual(range(1, 200).sort());
      expect(server.state.maxOpen).toBe(3);
      expect(server.state.maxActive).toBe(3);
      // connections are reused: 3 for all 200 messages
      expect(server.state.sessions).toBe(3);
    });
  });

  it('replaces a connection after maxMessages messages, still never more than maxConnections at once', async () => {
    await withCountingServer('maxConnections=3&maxMessages=10', async (server, transport) => {
      const { outcomes } = await sendMany(transport, 200, 32);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      expect([...server.state.messageIds].sort()).toEqual(range(1, 200).sort());
      // every replaced connection carried 10 messages; at most 3 open at the end carried fewer
      expect(server.state.sessions).toBeGreaterThanOrEqual(20);
      expect(server.state.sessions).toBeLessThanOrEqual(22);
      // a replaced connection counts until its QUIT is answered: the new one is not opened alongside it
      expect(server.state.maxActive).toBe(3);
    });
  });

  it.each([
    ['refuse', 550],
    ['defer', 451],
  ] as const)('rejects a recipient the server answers with %s (%i) with that responseCode and delivers the next message', async (list, code) => {
    const sink = await startSmtpSink();
    // a single connection: the next message can only go out if the failed one was replaced
    const transport = createSmtpTransport(`${sink.url}?maxConnections=1`);
    try {
      sink[list].add('hanako@example.jp');
      await send(transport, 1);
      const failure = await send(transport, 2, 'hanako@example.jp').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect(failure).toMatchObject({ responseCode: code });
      await send(transport, 3);
      expect(sink.received.map((mail) => [mail.parsed.messageId, mail.to])).toEqual([
        [messageId(1), ['r1@example.jp']],
        [messageId(3), ['r3@example.jp']],
      ]);
    } finally {
      transport.close();
      await sink.close();
    }
  });

  it('fails only the refused messages among many in flight and delivers every other one', async () => {
    const sink = await startSmtpSink();
    const transport = createSmtpTransport(`${sink.url}?maxConnections=2`);
    try {
      for (let n = 3; n <= 30; n += 3) sink.refuse.add(`r${n}@example.jp`);
      const { outcomes } = await sendMany(transport, 30, 10);
      const refused = outcomes.flatMap((outcome, at) => (outcome.status === 'rejected' ? [at + 1] : []));
      expect(refused).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
      for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ responseCode: 550 });
      const delivered = range(1, 30).filter((_, at) => (at + 1) % 3 !== 0);
      expect(sink.received.map((mail) => mail.parsed.messageId).sort()).toEqual(delivered.sort());
    } finally {
      transport.close();
      await sink.close();
    }
  });

  it('drops the connection a refusal came over and opens a fresh one for the next message', async () => {
    await withCountingServer('maxConnections=1', async (server, transport) => {
      server.state.refuse.add('hanako@example.jp');
      await send(transport, 1);
      await send(transport, 2);
      expect(server.state.sessions).toBe(1);
      await expect(send(transport, 3, 'hanako@example.jp')).rejects.toMatchObject({ responseCode: 550 });
      await send(transport, 4);
      expect(server.state.sessions).toBe(2);
      expect(server.state.messageIds).toEqual([messageId(1), messageId(2), messageId(4)]);
      await vi.waitFor(() => expect(server.state.open).toBe(1), { timeout: 5_000 });
    });
  });

  it('keeps delivering after the server times out its idle sessions (421, then close)', async () => {
    await withCountingServer('maxConnections=3', async (server, transport) => {
      await sendMany(transport, 6, 6);
      expect(server.state.sessions).toBe(3);
      await server.timeOutSessions();
      expect(server.state.open).toBe(0);
      const { outcomes } = await sendMany(transport, 6, 6, 7);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      expect([...server.state.messageIds].sort()).toEqual(range(1, 12).sort());
      expect(server.state.sessions).toBe(6);
    });
  });

  it('keeps delivering after the server restarts on the same port', async () => {
    const first = await startCountingServer();
    const transport = createSmtpTransport(`${first.url}?maxConnections=2`);
    let second: Awaited<ReturnType<typeof startCountingServer>> | undefined;
    try {
      await sendMany(transport, 4, 4);
      expect(first.state.open).toBe(2);
      await first.close();
      second = await startCountingServer(first.port);
      const { outcomes } = await sendMany(transport, 4, 4, 5);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      expect([...first.state.messageIds].sort()).toEqual(range(1, 4).sort());
      expect([...second.state.messageIds].sort()).toEqual(range(5, 4).sort());
    } finally {
      transport.close();
      await second?.close();
    }
  });

  it('opens one connection per message with pool=false, and closes each after its message', async () => {
    await withCountingServer('pool=false', async (server, transport) => {
      await send(transport, 1);
      await send(transport, 2);
      const { outcomes } = await sendMany(transport, 6, 3, 3);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      expect([...server.state.messageIds].sort()).toEqual(range(1, 8).sort());
      expect(server.state.sessions).toBe(8);
      await vi.waitFor(() => expect(server.state.open).toBe(0), { timeout: 5_000 });
    });
  });

  it('close() ends the idle connections and makes later sends reject with a clear error', async () => {
    await withCountingServer('maxConnections=2', async (server, transport) => {
      await sendMany(transport, 4, 4);
      expect(server.state.open).toBe(2);
      transport.close();
      await vi.waitFor(() => expect(server.state.open).toBe(0), { timeout: 5_000 });
      await expect(send(transport, 5)).rejects.toThrow('The SMTP transport is closed.');
      expect(server.state.sessions).toBe(2);
      expect(server.state.messageIds).toHaveLength(4);
    });
  });

  it('close() lets the send that has a connection finish and rejects the sends waiting for one', async () => {
    const server = await startCountingServer();
    const transport = createSmtpTransport(`${server.url}?maxConnections=1`);
    try {
      const messages = await Promise.all([1, 2, 3].map((n) => message(n)));
      const sends = messages.map((raw, at) => transport.send({ from: FROM, to: [`r${at + 1}@example.jp`] }, raw));
      transport.close();
      const outcomes = await Promise.allSettled(sends);
      expect(outcomes).toEqual([
        { status: 'fulfilled', value: { response: expect.stringMatching(/^250\b/) } },
        { status: 'rejected', reason: new Error('The SMTP transport is closed.') },
        { status: 'rejected', reason: new Error('The SMTP transport is closed.') },
      ]);
      expect(server.state.messageIds).toEqual([messageId(1)]);
      await vi.waitFor(() => expect(server.state.open).toBe(0), { timeout: 5_000 });
    } finally {
      await server.close();
    }
  });

  it('close() while messages are being sent lets each finish, then ends its connection', async () => {
    const server = await startCountingServer();
    const transport = createSmtpTransport(`${server.url}?maxConnections=2`);
    try {
      await sendMany(transport, 2, 2);
      // big enough that the messages are still on their way when close() is called
      const big = (n: number) =>
        composeMessage({
          from: { name: '', address: FROM },
          to: `r${n}@example.jp`,
          subject: 'ご案内',
          text: 'お茶'.repeat(100_000),
          html: null,
          messageId: messageId(n),
          date: new Date('2026-12-07T17:00:05Z'),
        });
      const raws = await Promise.all([3, 4].map(big));
      const sends = raws.map((raw, at) => transport.send({ from: FROM, to: [`r${at + 3}@example.jp`] }, raw));
      await new Promise((resolve) => setImmediate(resolve));
      transport.close();
      const outcomes = await Promise.allSettled(sends);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
      expect([...server.state.messageIds].sort()).toEqual(range(1, 4).sort());
      await vi.waitFor(() => expect(server.state.open).toBe(0), { timeout: 5_000 });
      expect(server.state.sessions).toBe(2);
    } finally {
      transport.close();
      await server.close();
    }
  });

  it('rejects with a connection error without responseCode when no server listens, every waiting send too', async () => {
    const transport = createSmtpTransport('smtp://127.0.0.1:9?maxConnections=1');
    try {
      const outcomes = await Promise.allSettled([1, 2, 3].map((n) => send(transport, n)));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const outcome of outcomes) {
        if (outcome.status !== 'rejected') continue;
        expect(outcome.reason).toBeInstanceOf(Error);
        expect(outcome.reason).toMatchObject({ message: expect.stringMatching(/ECONNREFUSED/) });
        expect((outcome.reason as { responseCode?: number }).responseCode).toBeUndefined();
      }
    } finally {
      transport.close();
    }
  });
});
