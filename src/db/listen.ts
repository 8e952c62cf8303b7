import pg from 'pg';

/**
 * A dedicated LISTEN connection that survives a lost database: on an error or an end it
 * reconnects with a growing delay, and after every (re)connection it calls `onConnected`, since
 * notifications sent while nobody listened are gone and the caller must catch up from its rows.
 * The journey reactor and the scenario reactor both listen through this.
 */

export interface ChannelListenerOptions {
  connectionString: string;
  channel: string;
  /** application_name of the connection (pg_stat_activity). */
  applicationName: string;
  /** Prefix of log lines, e.g. "Journey map". */
  label: string;
  onNotification(payload: string): void;
  /** After each connection is listening: catch up with what was written meanwhile. */
  onConnected(): Promise<void>;
  /** Called when work of the listener starts and ends (a connection attempt, a pending reconnect), for the caller's idle(). */
  begin(): void;
  end(): void;
  log(line: string): void;
}

export interface ChannelListener {
  /** Closes the connection and cancels a pending reconnect. */
  stop(): Promise<void>;
}

export const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000];

/** Channel names are identifiers written into LISTEN: only plain ones are accepted. */
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function listenToChannel(options: ChannelListenerOptions): ChannelListener {
  if (!CHANNEL_NAME.test(options.channel)) throw new Error(`Not a plain channel name: ${options.channel}`);
  let stopped = false;
  let listener: pg.Client | null = null;
  let reconnectAttempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;

  const connect = async () => {
    if (stopped) return;
    const client = new pg.Client({ connectionString: options.connectionString, application_name: options.applicationName });
    const lost = (error?: Error) => {
      if (listener !== client) return;
      listener = null;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (stopped) return;
      options.log(`${options.label}: the listening connection was lost${error ? ` (${error.message})` : ''}; reconnecting`);
      reconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === options.channel && message.payload) options.onNotification(message.payload);
    });
    try {
      listener = client;
      await client.connect();
      await client.query(`listen ${options.channel}`);
      reconnectAttempt = 0;
      await options.onConnected();
    } catch (error) {
      if (listener === client) lost(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const tracked = (work: () => Promise<void>) => {
    options.begin();
    void work().finally(() => options.end());
  };

  const reconnect = () => {
    if (stopped || reconnectTimer) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(reconnectAttempt, RECONNECT_DELAYS_MS.length - 1)]!;
    reconnectAttempt++;
    options.begin();
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect().finally(() => options.end());
    }, delay);
  };

  tracked(connect);

  return {
    async stop() {
      stopped = true;
      if (reconnectTimer) {
        clearTimeout(reconnectTimer);
        reconnectTimer = null;
        options.end();
      }
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
    },
  };
}
