#!/usr/bin/env -S node --max-semi-space-size=64
// A young generation of 64 MB (Node's default: 16 MB) saves a tenth of a large import's time in garbage collection.
// Entry point of the `kizuna` command: runs the JavaScript `npm run build` compiles from src/ into dist/
// (npm install, npm start and npm test build it), so no command compiles TypeScript as it starts.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('error: Kizuna is not built: run `npm run build` (npm install, npm start and npm test run it).');
  process.exit(2);
}
await import(main.href);
