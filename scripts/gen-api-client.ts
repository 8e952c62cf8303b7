import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import pg from 'pg';
import ts from 'typescript';
import { buildApp } from '../src/http/app.ts';
import type { Database } from '../src/db/connect.ts';
import type { DB } from '../src/db/schema.ts';
import { AnalyticsEngine } from '../src/analytics/engine/analytics-engine.ts';
import { CaughtMailbox } from '../src/messaging/mail-catcher.ts';

/**
 * The console's API client is generated from the OpenAPI document the server itself serves,
 * so the console can only call the API that exists: `npm run gen:api` writes the document and
 * its TypeScript types; test/api-client.test.ts fails when the committed files drift from it.
 */

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/src/api');
export const OPENAPI_FILE = path.join(apiDir, 'openapi.json');
export const SCHEMA_FILE = path.join(apiDir, 'schema.d.ts');

export interface GeneratedApiClient {
  /** The OpenAPI document, pretty-printed JSON. */
  openapi: string;
  /** The `paths` / `components` types for openapi-fetch. */
  schema: string;
}

/**
 * Builds the app without touching a database (the pool connects lazily and no request is
 * made), reads its OpenAPI document and renders the types. With a mailbox, so the demo mail
 * catcher's routes (present only while it runs) are documented too.
 */
export async function generateApiClient(): Promise<GeneratedApiClient> {
  const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/unused' });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const database: Database = { db, pool, url: 'unused', embedded: false, close: () => db.destroy() };
  const app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false }, caughtMail: new CaughtMailbox() });
  try {
    await app.ready();
    const document = app.swagger() as OpenAPI3;
    const ast = await openapiTS(structuredClone(document), { alphabetize: true, transform: blobForBinary });
    return {
      openapi: `${JSON.stringify(document, null, 2)}\n`,
      schema: COMMENT_HEADER + astToString(ast),
    };
  } finally {
    await app.close();
    await database.close();
  }
}

/** A file in a multipart form (`format: binary`) is a Blob in the browser, not a string. */
function blobForBinary(schema: { format?: string }): ts.TypeNode | undefined {
  if (schema.format !== 'binary') return undefined;
  return ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
}

async function main(): Promise<void> {
  const generated = await generateApiClient();
  await writeFile(OPENAPI_FILE, generated.openapi);
  await writeFile(SCHEMA_FILE, generated.schema);
  console.log(`Wrote ${path.relative(process.cwd(), OPENAPI_FILE)} and ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
