/**
 * The baseline of the scenarios benchmark, in a process of its own as the worker is: the
 * messages of a JSON file (nodemailer's sendMail options, already rendered) sent by nodemailer's
 * own pooled transport (sendMail composes each message, as an application using nodemailer
 * does) to the sink, with the pool Kizuna's transport uses (8 connections, 1,000 messages
 * each) and IN_FLIGHT at a time; prints the seconds taken.
 *
 *   SMTP_URL=… IN_FLIGHT=16 node --import tsx bench/support/raw-sends.ts messages.json
 */
import { readFile } from 'node:fs/promises';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTP_POOL_DEFAULTS } from '../../src/messaging/smtp.ts';

const messages = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as SendMailOptions[];
const url = new URL(process.env.SMTP_URL!);
url.searchParams.set('pool', 'true');
for (const [name, value] of Object.entries(SMTP_POOL_DEFAULTS)) if (!url.searchParams.has(name)) url.searchParams.set(name, String(value));
const transport = nodemailer.createTransport(url.toString());
const inFlight = Number(process.env.IN_FLIGHT ?? '16');
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < messages.length) await transport.sendMail(messages[next++]!);
  }),
);
process.stdout.write(`${(performance.now() - started) / 1000}\n`);
transport.close();
