import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addMember } from '../../src/auth/memberships.ts';
import { createUser } from '../../src/auth/users.ts';
import type { Database } from '../../src/db/connect.ts';
import type { Role } from '../../src/db/schema.ts';
import { buildApp, webDistDir } from '../../src/http/app.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { workspacesMadeHere } from './database.ts';
import { AnalyticsEngine } from '../../src/analytics/engine/analytics-engine.ts';
import type { CaughtMailbox } from '../../src/messaging/mail-catcher.ts';

/** Where end-to-end tests put their screenshots. */
export const SCREENSHOTS = '/tmp/kizuna-shots';

export interface ConsoleUser {
  email: string;
  password: string;
  role: Role;
}

/** The real server on a free port with the built console, and a real Chromium to drive it. */
export interface RunningConsole {
  app: FastifyInstance;
  baseUrl: string;
  browser: Browser;
  /**
   * A user (created in the database) with the given role in `workspaces`: by default the
   * workspaces this test file made so far with freshWorkspace — never another file's, whose
   * members (its "only admin") must not change under it.
   */
  user(role: Role, displayName?: string, workspaces?: readonly Workspace[]): Promise<ConsoleUser>;
  /** Makes `user` a member of a workspace created after it, with the user's role. */
  addMember(user: ConsoleUser, workspace: Workspace): Promise<void>;
  /** A fresh browser context (Japanese, 1360×900, downloads accepted) and its page, not signed in. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** The same, signed in as `user`. */
  signedInPage(user: ConsoleUser): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * Starts the server and Chromium (building the console first when web/dist is missing); with
 * `caughtMail`, the server has the demo mail catcher's routes.
 */
export async function startConsole(database: Database, options: { caughtMail?: CaughtMailbox } = {}): Promise<RunningConsole> {
  if (!existsSync(path.join(webDistDir, 'index.html'))) {
    execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false }, caughtMail: options.caughtMail });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const newPage = async () => {
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    return { context, page: await context.newPage() };
  };
  return {
    app,
    baseUrl,
    browser,
    newPage,
    async user(role, displayName, workspaces) {
      const user = { email: `${role}-${randomUUID().slice(0, 8)}@example.jp`, password: 'correct horse battery', role };
      await createUser(database.db, { email: user.email, displayName: displayName ?? `${role} 担当`, password: user.password });
      const memberOf = workspaces ?? workspacesMadeHere();
      for (const workspace of memberOf) await addMember(database.db, { workspaceId: workspace.id, email: user.email, role });
      return user;
    },
    async addMember(user, workspace) {
      await addMember(database.db, { workspaceId: workspace.id, email: user.email, role: user.role });
    },
    async signedInPage(user) {
      const { context, page } = await newPage();
      await page.goto(`${baseUrl}/sign-in`);
      await page.getByLabel('メールアドレス').fill(user.email);
      await page.getByLabel('パスワード').fill(user.password);
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.getByRole('navigation', { name: 'メインナビゲーション' }).waitFor();
      return { context, page };
    },
    async close() {
      await browser.close();
      await app.close();
    },
  };
}

/** An API answer fetched by the page itself, with its session: what the console gets. */
export async function apiGet<T>(page: Page, url: string): Promise<T> {
  return page.evaluate(async (u) => {
    const response = await fetch(u);
    if (!response.ok) throw new Error(`${u}: ${response.status}`);
    return response.json();
  }, url) as Promise<T>;
}
