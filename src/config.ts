import path from 'node:path';

/** Runtime configuration, read once from the environment at the edge (CLI / server start). */
export interface KizunaConfig {
  /** A PostgreSQL URL; when absent, an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  /** Folder for the embedded PostgreSQL cluster and local state. */
  dataDir: string;
  host: string;
  port: number;
  /** Password of the first admin user; generated and printed once when absent. */
  adminEmail: string;
  adminPassword: string | undefined;
  /** Number of demo customers generated on first start. 0 disables the demo brand. */
  demoCustomers: number;
  demoSeed: number;
  /** Set `secure` on session cookies (behind HTTPS). */
  secureCookies: boolean;
  /** The server's PostgreSQL statement_timeout: a statement running longer is cancelled (503). 0: none. */
  statementTimeoutMs: number;
  /** The server's request deadline: a request not answered by then gets a 503. 0: none. */
  requestTimeoutMs: number;
  /**
   * The console's origin as browsers see it (KIZUNA_PUBLIC_ORIGIN, e.g. https://crm.example.jp),
   * for a proxy that rewrites Host; state-changing requests with the session cookie must come
   * from it. When absent, the request's Host is the origin.
   */
  publicOrigin: string | undefined;
  /**
   * Which proxies to believe about the client's address (KIZUNA_TRUST_PROXY): `true` for any,
   * or a comma list of proxy addresses/CIDRs. Sign-in throttling counts per client
   * address; behind a proxy without this, every client is the proxy's one address.
   */
  trustProxy: boolean | string[];
  /**
   * The base of links in mail (KIZUNA_PUBLIC_URL, e.g. https://crm.example.jp), such as the
   * one-click unsubscribe links; default KIZUNA_PUBLIC_ORIGIN, else http://localhost:PORT.
   * RFC 8058 asks for HTTPS: set it in production.
   */
  publicUrl: string;
  /**
   * The instance secret that signs unsubscribe links (KIZUNA_SECRET, at least 32 characters).
   * When absent, the server keeps a random one in `<dataDir>/secret` (src/shared/instance-secret.ts).
   */
  secret: string | undefined;
  /** Where mail is sent (KIZUNA_SMTP_URL, e.g. smtps://user:pass@smtp.example.jp:465); absent: `kizuna serve` catches it on loopback (src/messaging/mail-catcher.ts). */
  smtpUrl: string | undefined;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

function intFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

function originFromEnv(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`KIZUNA_PUBLIC_ORIGIN must be an origin such as https://crm.example.jp, got "${raw}"`);
  }
  if (url.origin === 'null' || url.pathname !== '/' || url.search || url.hash)
    throw new Error(`KIZUNA_PUBLIC_ORIGIN must be an origin (scheme, host and port only) such as https://crm.example.jp, got "${raw}"`);
  return url.origin;
}

function trustProxyFromEnv(raw: string | undefined): boolean | string[] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function publicUrlFromEnv(raw: string | undefined, fallback: string): string {
  if (raw === undefined || raw === '') return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`KIZUNA_PUBLIC_URL must be a URL such as https://crm.example.jp, got "${raw}"`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password)
    throw new Error(`KIZUNA_PUBLIC_URL must be an http(s) URL without query, fragment or credentials, such as https://crm.example.jp, got "${raw}"`);
  return url.toString().replace(/\/+$/, '');
}

function secretFromEnv(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32) throw new Error(`KIZUNA_SECRET must have at least 32 characters (e.g. openssl rand -hex 32), got ${raw.length}`);
  return raw;
}

function smtpUrlFromEnv(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('KIZUNA_SMTP_URL must be a URL such as smtp://localhost:1025 or smtps://user:password@smtp.example.jp:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`KIZUNA_SMTP_URL must start with smtp:// or smtps://, got "${url.protocol}//"`);
  return raw;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): KizunaConfig {
  const port = intFromEnv('PORT', 3000, env);
  const publicOrigin = originFromEnv(env.KIZUNA_PUBLIC_ORIGIN);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.KIZUNA_DATA_DIR || '.kizuna'),
    host: env.HOST || '127.0.0.1',
    port,
    adminEmail: env.KIZUNA_ADMIN_EMAIL || 'admin@kizuna.local',
    adminPassword: env.KIZUNA_ADMIN_PASSWORD || undefined,
    demoCustomers: intFromEnv('KIZUNA_DEMO_CUSTOMERS', 20_000, env),
    demoSeed: intFromEnv('KIZUNA_DEMO_SEED', 1, env),
    secureCookies: env.KIZUNA_SECURE_COOKIES === 'true',
    statementTimeoutMs: intFromEnv('KIZUNA_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, env),
    requestTimeoutMs: intFromEnv('KIZUNA_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, env),
    publicOrigin,
    trustProxy: trustProxyFromEnv(env.KIZUNA_TRUST_PROXY),
    publicUrl: publicUrlFromEnv(env.KIZUNA_PUBLIC_URL, publicOrigin ?? `http://localhost:${port}`),
    secret: secretFromEnv(env.KIZUNA_SECRET),
    smtpUrl: smtpUrlFromEnv(env.KIZUNA_SMTP_URL),
  };
}
