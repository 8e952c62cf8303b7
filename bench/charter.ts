/**
 * The message checker (issue 4): first check in a fresh process, live checks of a 500-character
 * message (in the process, and as the console sends them: POST /charter/check to a running
 * server, including a message typed a few characters at a time), a batch of 10,000 generated
 * messages, and the same textlint rules through the textlint command line on the same texts as
 * the baseline. The HTTP part uses a fresh database on DATABASE_URL or the embedded PostgreSQL.
 *   npm run bench:charter [-- --messages 10000] [-- --baseline-messages 2000] [-- --no-baseline] [-- --no-http]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { AddressInfo } from 'node:net';
import { createApiKey } from '../src/auth/api-keys.ts';
import { checkMessage, createChecker } from '../src/charter/check-message.ts';
import { seedDemoCharter } from '../src/demo/demo-templates.ts';
import { buildApp } from '../src/http/app.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase, percentiles } from './support/bench-database.ts';
import { DEMO_CHARTER } from '../src/demo/demo-charter.ts';
import { prhRules } from '../src/charter/textlint-bridge.ts';
import type { MessageInput } from '../src/charter/types.ts';
import { visibleText } from '../src/charter/visible-text.ts';
import { generateMessage } from './support/charter-messages.ts';
import { AnalyticsEngine } from '../src/analytics/engine/analytics-engine.ts';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    'baseline-messages': { type: 'string', default: '2000' },
    'live-checks': { type: 'string', default: '300' },
    'no-baseline': { type: 'boolean', default: false },
    'no-http': { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(args.messages);
const BASELINE_MESSAGES = Math.min(MESSAGES, Number(args['baseline-messages']));
const LIVE_CHECKS = Math.max(200, Number(args['live-checks']));
const SEED = 20_251_125;

const rows: Array<[string, string, string, string]> = [];
const fmt = (value: number, digits = 1) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

// (1) First check after start, in fresh processes (median of 3): as a library is first used,
// and with the dictionary load started first thing, as a server does at start.
type FirstCheck = { sinceProcessStart: number; sinceImport: number; modules: number; firstCheck: number };
const median = <T>(items: T[], key: (item: T) => number) => items.map(key).sort((a, b) => a - b)[Math.floor(items.length / 2)] ?? NaN;
for (const preload of [false, true]) {
  const firsts: FirstCheck[] = [];
  for (let i = 0; i < 3; i++) {
    process.stderr.write(`first check${preload ? ' (preload)' : ''}: fresh process ${i + 1}/3\r`);
    const script = path.join(import.meta.dirname, 'charter-first-check.ts');
    const { stdout } = await run(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', script, ...(preload ? ['--preload'] : [])]);
    firsts.push(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as FirstCheck);
  }
  process.stderr.write('\n');
  const total = median(firsts, (first) => first.sinceProcessStart);
  const label = preload ? 'first check, dictionary load started at process start (server)' : 'first check after start (fresh process, median of 3)';
  rows.push([
    label,
    `${fmt(total / 1000, 2)} s (${fmt(median(firsts, (first) => first.sinceImport) / 1000, 2)} s from import)`,
    '< 2 s',
    total < 2000 ? 'met' : 'missed',
  ]);
}

async function timeBatch(messages: MessageInput[], label: string): Promise<{ seconds: number; errors: number; findings: number }> {
  const batchChecker = createChecker(DEMO_CHARTER);
  const bar = new cliProgress.SingleBar(
    { format: `${label} {bar} {value}/{total}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(messages.length, 0);
  let errors = 0;
  let findings = 0;
  const start = performance.now();
  for (let i = 0; i < messages.length; i++) {
    const result = await batchChecker.check(messages[i]!);
    findings += result.findings.length;
    if (!result.publishable) errors += 1;
    if (i % 100 === 0) bar.update(i);
  }
  const seconds = (performance.now() - start) / 1000;
  bar.update(messages.length);
  bar.stop();
  return { seconds, errors, findings };
}
// (2) Baseline, before anything else has warmed the checker's caches: the same textlint rules
// through the textlint command line on BASELINE_MESSAGES texts (their visible text, as .txt
// files), against our checker on the same messages in this process, the dictionary loaded first.
if (!args['no-baseline']) {
  const sample = Array.from({ length: BASELINE_MESSAGES }, (_, i) => generateMessage(SEED + 2, i));
  await createChecker(DEMO_CHARTER).check({ body: 'こんにちは。', format: 'text', channel: 'sms', department: 'support' });
  const ours = await timeBatch(sample, 'ours on the baseline sample');
  const dir = await mkdtemp(path.join(tmpdir(), 'kizuna-charter-bench-'));
  try {
    await mkdir(path.join(dir, 'messages'));
    await writeFile(path.join(dir, 'prh.yml'), prhRules(DEMO_CHARTER));
    const { limits } = DEMO_CHARTER;
    await writeFile(
      path.join(dir, '.textlintrc.json'),
      JSON.stringify(
        {
          rules: {
            'no-mix-dearu-desumasu': { preferInHeader: 'ですます', preferInBody: 'ですます', preferInList: 'ですます', strict: false },
            prh: { rulePaths: ['./prh.yml'] },
            'max-ten': { max: limits.maxCommasPerSentence },
            'sentence-length': { max: limits.maxSentenceLength },
          },
        },
        null,
        2,
      ),
    );
    for (let i = 0; i < sample.length; i++) {
      const message = sample[i]!;
      await writeFile(path.join(dir, 'messages', `${String(i).padStart(5, '0')}.txt`), visibleText(message.body, message.format).text);
    }
    process.stderr.write(`textlint CLI on ${sample.length} files …\n`);
    const textlint = path.resolve('node_modules/.bin/textlint');
    const start = performance.now();
    let output = '';
    try {
      output = (await run(textlint, ['--config', '.textlintrc.json', '--format', 'json', 'messages/'], { cwd: dir, maxBuffer: 512 * 1024 * 1024 })).stdout;
    } catch (error) {
      // textlint exits 1 when it reports anything; its output is still the result.
      output = (error as { stdout?: string }).stdout ?? '';
      if (!output) throw error;
    }
    const seconds = (performance.now() - start) / 1000;
    const files = (JSON.parse(output) as unknown[]).length;
    rows.push([`baseline: textlint CLI, 4 rules, ${files.toLocaleString('en-US')} files`, `${fmt(files / seconds, 0)} msg/s (${fmt(seconds, 1)} s)`, '', '']);
    rows.push([
      `  Kizuna checker, all rules, same ${sample.length.toLocaleString('en-US')} messages`,
      `${fmt(sample.length / ours.seconds, 0)} msg/s (${fmt(ours.seconds, 1)} s)`,
      '',
      '',
    ]);
    rows.push(['  ratio (Kizuna / textlint CLI)', `${fmt(seconds / ours.seconds, 1)}×`, '', '']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// (3) Live checks of ~500-character messages after warm-up.
const checker = createChecker(DEMO_CHARTER);
const live = (unique: boolean) =>
  Array.from({ length: LIVE_CHECKS }, (_, i) => generateMessage(SEED + 1, i, { minLength: 490, maxLength: 510, htmlShare: 0, unique }));
for (const message of live(false).slice(0, 50)) await checker.check(message);
for (const [label, messages] of [
  ['sentences shared with other messages', live(false)],
  ['every sentence unseen', live(true)],
] as const) {
  const times: number[] = [];
  const bar = new cliProgress.SingleBar(
    { format: `live (${label}) {bar} {value}/{total}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(messages.length, 0);
  for (const message of messages) {
    const start = performance.now();
    await checker.check(message);
    times.push(performance.now() - start);
    bar.increment();
  }
  bar.stop();
  times.sort((a, b) => a - b);
  const chars = Math.round(messages.reduce((sum, message) => sum + message.body.length, 0) / messages.length);
  rows.push([
    `live check, ${chars} chars, ${label}: p50 / p95 / max over ${times.length}`,
    `${fmt(quantile(times, 0.5), 2)} / ${fmt(quantile(times, 0.95), 2)} / ${fmt(times.at(-1) ?? NaN, 2)} ms`,
    'p95 < 30 ms',
    quantile(times, 0.95) < 30 ? 'met' : 'missed',
  ]);
}

// (4) Live checks as the console makes them: POST /charter/check to a listening server (a real
// socket, the API key's authorization, the charter read from PostgreSQL, JSON both ways), for the
// same kind of messages, and for one message typed five characters at a time.
if (!args['no-http']) {
  const { database, drop } = await openBenchDatabase('charter');
  const app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false } });
  try {
    const workspace = await createWorkspace(database.db, { name: 'bench-charter' });
    await seedDemoCharter({ pool: database.pool, workspaceId: workspace.id, check: checkMessage });
    const { key } = await createApiKey(database.db, { workspaceId: workspace.id, name: 'bench', role: 'read_only' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/workspaces/${workspace.name}/charter/check`;
    const post = async (message: MessageInput) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });
      if (!response.ok) throw new Error(`POST /charter/check: ${response.status} ${await response.text()}`);
      return response.json();
    };
    for (const message of live(false).slice(0, 50)) await post(message);
    const typed = live(true)[0]!;
    const keystrokes = Array.from({ length: Math.floor(typed.body.length / 5) }, (_, i) => ({ ...typed, body: typed.body.slice(0, (i + 1) * 5) }));
    for (const [label, messages] of [
      ['sentences shared with other messages', live(false)],
      [`one message typed 5 characters at a time (${keystrokes.length} checks)`, keystrokes],
    ] as const) {
      const times: number[] = [];
      for (const message of messages) {
        const start = performance.now();
        await post(message);
        times.push(performance.now() - start);
      }
      const { p50, p95 } = percentiles(times);
      rows.push([`live check over HTTP, ${label}: p50 / p95`, `${fmt(p50, 2)} / ${fmt(p95, 2)} ms`, 'p95 < 30 ms', p95 < 30 ? 'met' : 'missed']);
    }
  } finally {
    await app.close();
    await drop();
  }
}

// (5) Batch of generated messages (a fresh checker: the sentence cache holds what it has seen).
const batch: MessageInput[] = Array.from({ length: MESSAGES }, (_, i) => generateMessage(SEED, i));
const batchChars = batch.reduce((sum, message) => sum + message.body.length, 0);
const full = await timeBatch(batch, 'batch');
rows.push([
  `batch: ${MESSAGES.toLocaleString('en-US')} messages (avg ${Math.round(batchChars / MESSAGES)} chars, 30% HTML), all rules`,
  `${fmt(MESSAGES / full.seconds, 0)} msg/s (${fmt(full.seconds, 1)} s)`,
  '≥ 300 msg/s',
  MESSAGES / full.seconds >= 300 ? 'met' : 'missed',
]);
rows.push(['  findings / messages not publishable', `${full.findings.toLocaleString('en-US')} / ${full.errors.toLocaleString('en-US')}`, '', '']);

const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length), ['measure', 'figure', 'goal', ''][column]!.length));
const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
console.log(line(['measure', 'figure', 'goal', '']));
console.log(line(widths.map((width) => '-'.repeat(width))));
for (const row of rows) console.log(line(row));
