import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { namedCommand, TOP_LEVEL_COMMANDS } from './command-index.ts';
import { createCliContext } from './context.ts';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Runs bin/kizuna.js with a module hook that notes every module it loads (file URLs, one a
 * line). The hook runs on Node's loader thread and appends to a file synchronously: its writes
 * to stderr could be lost when the CLI ends with process.exit before that thread flushes them.
 */
async function modulesLoadedBy(args: string[]): Promise<{ stdout: string; modules: string[] }> {
  const log = path.join(mkdtempSync(path.join(tmpdir(), 'kizuna-loaded-')), 'modules.txt');
  const hooks = `import { appendFileSync } from 'node:fs';
  export async function resolve(specifier, context, next) {
    const resolved = await next(specifier, context);
    if (resolved.url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
    return resolved;
  }`;
  const preload = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(preload)}`, 'bin/kizuna.js', ...args],
    {
      cwd: root,
    },
  );
  const modules = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => path.relative(root, new URL(line).pathname));
  rmSync(path.dirname(log), { recursive: true, force: true });
  return { stdout, modules };
}

/** The packages among loaded files: node_modules/pg/lib/index.js → pg, node_modules/@a/b/x.js → @a/b. */
function packagesOf(modules: string[]): Set<string> {
  return new Set(
    modules
      .filter((file) => file.startsWith('node_modules/'))
      .map((file) => {
        const parts = file.split('/');
        return parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]!;
      }),
  );
}

describe('the CLI loads only what the command named needs', () => {
  it('kizuna --help lists every command, loading no command module, nor the database driver', async () => {
    const { stdout, modules } = await modulesLoadedBy(['--help']);
    for (const command of TOP_LEVEL_COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command.name} +${command.summary.slice(0, 20)}`, 'm'));
    expect(modules).toContain('dist/cli/main.js');
    expect(modules.filter((file) => file.startsWith('dist/cli/commands/'))).toEqual([]);
    expect([...packagesOf(modules)]).toEqual(['commander']);
  });

  it('kizuna workspace --help loads the workspace commands and no other command module', async () => {
    const { stdout, modules } = await modulesLoadedBy(['workspace', '--help']);
    expect(stdout).toContain('Usage: kizuna workspace');
    expect(modules.filter((file) => file.startsWith('dist/cli/commands/'))).toEqual(['dist/cli/commands/workspace.js']);
  });

  it('every command a module registers is in the index, under the name it is loaded by', async () => {
    const context = createCliContext();
    for (const entry of TOP_LEVEL_COMMANDS) {
      const program = new Command('kizuna');
      (await entry.load())(program, context);
      const registered = program.commands.map((command) => command.name());
      expect(registered).toContain(entry.name);
      for (const name of registered) expect(TOP_LEVEL_COMMANDS.map((command) => command.name)).toContain(name);
    }
  });

  it('finds the command named, also as the argument of help, and none for options alone or an unknown name', () => {
    expect(namedCommand(['analyze', 'sales', '--from', '2024-01-01'])?.name).toBe('analyze');
    expect(namedCommand(['help', 'kpi'])?.name).toBe('kpi');
    expect(namedCommand(['--help'])).toBeUndefined();
    expect(namedCommand(['help'])).toBeUndefined();
    expect(namedCommand(['nothing'])).toBeUndefined();
  });
});
