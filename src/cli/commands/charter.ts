import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { readCharter } from '../../charter/charters.ts';
import { checkMessage, createChecker } from '../../charter/check-message.ts';
import { saveCharterAndRecheck } from '../../charter/recheck.ts';
import { DEPARTMENTS, MESSAGE_CHANNELS, type Department, type MessageChannel } from '../../charter/types.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { CliContext, RegisterCommand } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { oneOf, usageError } from './analyze/options.ts';
import { readMessageFile } from './charter/message-file.ts';
import { printCharter, printCheckedFiles, printSavedCharter, type CheckedFile, type Language } from './charter/print.ts';

/**
 * `kizuna charter check|show|set`: check message files against the workspace's relationship
 * charter (usable in a brand's CI of its own templates), show the charter, set it from JSON.
 * Exit codes: 0 done (check: no error found); 1 check found an error, or set was given an
 * invalid charter; 2 a usage error (an unreadable file, an unknown option value, a workspace
 * without a charter), on one line.
 */
export const registerCharterCommand: RegisterCommand = (program, context) => {
  const charter = program.command('charter').description('the relationship charter: check messages against it, show it, set it').showHelpAfterError(false);

  charterCommand(charter, 'check')
    .argument('<files...>', 'message files: .html/.htm (HTML), .mjml (MJML), anything else plain text; an email may start with a line "Subject: …"')
    .description("check messages against the workspace's charter: file:line:col  severity  rule  message  (→ fix); exit code 1 when any finding is an error")
    .option('--department <name>', `the department that sends them: ${DEPARTMENTS.join(', ')}`, oneOf<Department>('--department', DEPARTMENTS), 'marketing')
    .option('--channel <name>', `the channel: ${MESSAGE_CHANNELS.join(', ')}`, oneOf<MessageChannel>('--channel', MESSAGE_CHANNELS), 'email')
    .option('--lang <lang>', 'language of the messages: ja or en', oneOf<Language>('--lang', ['ja', 'en']), 'ja')
    .action((files: string[], options: CharterOptions & { department: Department; channel: MessageChannel; lang: Language }) =>
      checkFiles(context, files, options),
    );

  charterCommand(charter, 'show')
    .description("the workspace's current charter")
    .action(async (options: CharterOptions) => {
      const { name, stored } = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return { name: workspace.name, stored: await charterOf(database.pool, workspace) };
      });
      console.log(options.json ? JSON.stringify(stored, null, 2) : printCharter(stored, name).join('\n'));
    });

  charterCommand(charter, 'set')
    .argument('<file>', 'the charter as JSON (see charter show --json for the shape)')
    .description("set the workspace's charter from a JSON file: a new version, with the fields that changed; the templates are checked again against it")
    .action(async (file: string, options: CharterOptions) => {
      const input = await readJson(file);
      const { name, saved } = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        const saved = await saveCharterAndRecheck({
          pool: database.pool,
          workspaceId: workspace.id,
          input,
          actor: { kind: 'system', label: cliActor() },
          check: checkMessage,
        });
        return { name: workspace.name, saved };
      });
      console.log(options.json ? JSON.stringify(saved, null, 2) : printSavedCharter(saved, name).join('\n'));
    });
};

interface CharterOptions {
  workspace?: string;
  json?: boolean;
}

function charterCommand(charter: Command, name: string): Command {
  return charter.command(name).option('--workspace <name>', 'the workspace (default: demo)').option('--json', 'print the result as JSON');
}

async function checkFiles(
  context: CliContext,
  files: string[],
  options: CharterOptions & { department: Department; channel: MessageChannel; lang: Language },
): Promise<void> {
  const sources = await Promise.all(files.map(async (file) => ({ file, source: await readText(file) })));
  const stored = await context.withDatabase(async (database) => charterOf(database.pool, await context.workspace(database, options.workspace)));
  const checker = createChecker(stored.charter);
  const checked: CheckedFile[] = [];
  for (const { file, source } of sources) {
    const message = readMessageFile({ file, source, channel: options.channel, department: options.department });
    const result = await checker.check(message.message);
    checked.push({ file, result, positions: result.findings.map((finding) => message.locate(finding.range)) });
  }
  if (options.json) {
    console.log(
      JSON.stringify(
        {
          charterVersion: stored.version,
          files: checked.map(({ file, result, positions }) => ({
            file,
            ...result,
            findings: result.findings.map((finding, index) => ({ ...finding, ...positions[index] })),
          })),
        },
        null,
        2,
      ),
    );
  } else {
    console.log(printCheckedFiles(checked, options.lang).join('\n'));
  }
  if (checked.some(({ result }) => result.counts.error > 0)) process.exitCode = EXIT.refused;
}

async function charterOf(pool: Parameters<typeof readCharter>[0]['pool'], workspace: { id: string; name: string }) {
  const stored = await readCharter({ pool, workspaceId: workspace.id });
  if (!stored) {
    throw usageError(
      `workspace "${workspace.name}" has no charter yet: set one with npx kizuna charter set FILE.json --workspace ${workspace.name} (npx kizuna charter show --workspace demo --json prints the demo brand's as an example)`,
    );
  }
  return stored;
}

/** Who set the charter from the command line: the OS user, when there is one. */
function cliActor(): string {
  try {
    return `cli (${userInfo().username})`;
  } catch {
    return 'cli';
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function readJson(file: string): Promise<unknown> {
  const text = await readText(file);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new KizunaError('bad_request', `${file} is not JSON: ${(error as Error).message}`);
  }
}
