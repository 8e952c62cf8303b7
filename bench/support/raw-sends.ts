/**
 * The baseline of the scenarios benchmark, in a process of its own as the worker is: the
 * messages of a JSON file (nodemailer's sendMail options, already rendered) sent with
 * createSmtpTransport(SMTP_URL) to the sink, IN_FLIGHT at a time; prints the seconds taken.
 *
 *   SMTP_URL=… IN_FLIGHT=16 node --import tsx bench/support/raw-sends.ts messages.json
 */
import { readFile } from 'node:fs/promises';
import type { SendMailOptions } from 'nodemailer';
import { createSmtpTransport } from '../../src/messaging/smtp.ts';

const messages = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as SendMailOptions[];
const transport = createSmtpTransport(process.env.SMTP_URL!);
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
