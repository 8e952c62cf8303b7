import type { Command } from 'commander';
import type { ContactRules, RuleRef } from '../../governance/model.ts';
import { previewSend } from '../../governance/preview.ts';
import { readContactRules, saveContactRules } from '../../governance/rules-store.ts';
import { Condition } from '../../journey-map/model.ts';
import { propertyTestsInWords } from '../../journey-map/rules/value-test.ts';
import { measureGlobalControl } from '../../measurement/global-control.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { RegisterCommand } from '../context.ts';
import { usageError } from './analyze/options.ts';
import { readJson } from './scenario.ts';

/**
 * `kizuna rules show | set FILE.json | preview | global-control`: the workspace's contact rules
 * (docs/governance.md) from the command line. `set` replaces them (checked whole; every problem
 * printed, nothing saved on an error); `preview` answers what would happen if a message went to
 * everyone (or an audience condition from a JSON file) now; `global-control` the total effect of
 * CRM against the global control group.
 */
export const registerRulesCommand: RegisterCommand = (program, context) => {
  const rules = program
    .command('rules')
    .description('contact rules: frequency caps, quiet hours, suppression, the global control group')
    .showHelpAfterError(false);

  rulesCommand(rules, 'show')
    .description("the workspace's contact rules, one per line (--json: the document, as `rules set` reads it)")
    .action(async (options: RulesOptions) => {
      const stored = await context.withDatabase(async (database) => readContactRules(database.pool, (await context.workspace(database, options.workspace)).id));
      if (options.json) {
        console.log(JSON.stringify(stored.rules, null, 2));
        return;
      }
      for (const line of describeRules(stored.rules, stored.workspaceTimezone)) console.log(line);
      console.log(stored.updatedAt ? `saved ${stored.updatedAt.toISOString()}` : 'never saved: the defaults');
    });

  rulesCommand(rules, 'set')
    .argument('<file>', 'the rules as JSON (docs/governance.md)')
    .description('replace the contact rules; refused with every problem while any remains')
    .action(async (file: string, options: RulesOptions) => {
      const input = await readJson(file);
      const stored = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return saveContactRules(database.pool, { workspaceId: workspace.id, input, userId: null, now: context.clock.now() });
      });
      if (options.json) console.log(JSON.stringify(stored.rules, null, 2));
      else for (const line of describeRules(stored.rules, stored.workspaceTimezone)) console.log(line);
    });

  rulesCommand(rules, 'preview')
    .option('--channel <channel>', 'email, line, sms, print or task', 'email')
    .option('--purpose <purpose>', 'marketing or transactional', 'marketing')
    .option('--department <department>', 'marketing, support, site_operations or sales', 'marketing')
    .option('--priority <n>', '1–100', '50')
    .option('--skip', 'the message is skipped when held (default: deferred up to 3 days)')
    .option('--audience <file>', 'a journey-rule condition as JSON (default: every customer)')
    .description('what would happen if a message went to this audience now: sent, deferred, skipped, by rule; writes nothing')
    .action(async (options: RulesOptions & { channel: string; purpose: string; department: string; priority: string; skip?: boolean; audience?: string }) => {
      const priority = Number(options.priority);
      if (!Number.isInteger(priority) || priority < 1 || priority > 100)
        throw usageError(`--priority is a whole number from 1 to 100, not ${options.priority}`);
      if (!['email', 'line', 'sms', 'print', 'task'].includes(options.channel))
        throw usageError(`--channel is email, line, sms, print or task, not ${options.channel}`);
      if (!['marketing', 'transactional'].includes(options.purpose)) throw usageError(`--purpose is marketing or transactional, not ${options.purpose}`);
      if (!['marketing', 'support', 'site_operations', 'sales'].includes(options.department))
        throw usageError(`--department is marketing, support, site_operations or sales, not ${options.department}`);
      let audience: Condition | undefined;
      if (options.audience) {
        const parsed = Condition.safeParse(await readJson(options.audience));
        if (!parsed.success)
          throw new KizunaError('validation_failed', `${options.audience} is not a journey-rule condition: ${parsed.error.issues[0]?.message ?? ''}`);
        audience = parsed.data;
      }
      const result = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        const stored = await readContactRules(database.pool, workspace.id);
        return previewSend(database.pool, {
          workspaceId: workspace.id,
          timezone: stored.workspaceTimezone,
          rules: stored.rules,
          request: {
            audience,
            channel: options.channel as 'email',
            purpose: options.purpose as 'marketing',
            department: options.department as 'marketing',
            priority,
            whenHeld: options.skip ? { kind: 'skip' } : { kind: 'defer', within: { days: 3 } },
          },
          now: context.clock.now(),
        });
      });
      if (options.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const n = (value: number) => value.toLocaleString('en-US');
      console.log(
        `${n(result.audience)} customers${result.sampled ? ` (estimated from a ${(result.sampleRate * 100).toFixed(1)} % sample)` : ''}: ${n(result.send)} sent now, ${n(result.deferred)} deferred, ${n(result.skipped)} skipped, ${n(result.globalControl)} in the global control group`,
      );
      if (result.medianDeferMinutes !== null) console.log(`median deferral: ${Math.round(result.medianDeferMinutes / 6) / 10} h`);
      for (const entry of result.byRule) console.log(`  ${ruleWords(entry.rule)}: ${n(entry.deferred)} deferred, ${n(entry.skipped)} skipped`);
    });

  rulesCommand(rules, 'global-control')
    .option('--from <date>', 'first local day (default: 90 days before --to)')
    .option('--to <date>', 'last local day (default: yesterday)')
    .description('the total effect of CRM: the global control group against everyone else over a period')
    .action(async (options: RulesOptions & { from?: string; to?: string }) => {
      for (const [name, value] of [
        ['--from', options.from],
        ['--to', options.to],
      ] as const)
        if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw usageError(`${name} is a date YYYY-MM-DD, not ${value}`);
      const report = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return measureGlobalControl(database.pool, { workspaceId: workspace.id, from: options.from, to: options.to, now: context.clock.now() });
      });
      if (options.json) {
        console.log(JSON.stringify(report, null, 2));
        return;
      }
      if (report.percent === 0) {
        console.log('No global control group: set "globalControlPercent" (1–15) with kizuna rules set.');
        return;
      }
      const pct = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}pt`;
      console.log(
        `${report.from} … ${report.to}: global control group ${report.percent} % (${report.control.customers} customers) vs everyone else (${report.rest.customers})`,
      );
      if (report.purchase)
        console.log(`purchase rate: ${pct(report.purchase.difference)} (95 % CI ${pct(report.purchase.low)} … ${pct(report.purchase.high)})`);
      if (report.revenue)
        console.log(
          `revenue per customer: ${report.revenue.difference.toFixed(0)} (95 % CI ${report.revenue.low.toFixed(0)} … ${report.revenue.high.toFixed(0)}; capped at ${report.revenue.cap.toFixed(0)})`,
        );
    });
};

interface RulesOptions {
  workspace?: string;
  json?: boolean;
}

function rulesCommand(rules: Command, name: string): Command {
  return rules.command(name).option('--workspace <name>', 'the workspace (default: demo)').option('--json', 'print the result as JSON');
}

/** The rules, one sentence each. */
export function describeRules(rules: ContactRules, workspaceTimezone: string): string[] {
  const lines: string[] = [];
  const all = (list: readonly string[] | undefined, what: string) => (list ? list.join(', ') : `every ${what}`);
  for (const cap of rules.caps) {
    const window = [cap.window.days ? `${cap.window.days} d` : '', cap.window.hours ? `${cap.window.hours} h` : ''].filter(Boolean).join(' ');
    lines.push(
      `cap ${cap.id} "${cap.name}": at most ${cap.max} in any ${window} — ${all(cap.channels, 'channel')}; ${(cap.purposes ?? ['marketing']).join(', ')}; ${all(cap.departments, 'department')}`,
    );
  }
  for (const quiet of rules.quietHours) {
    const parts = [quiet.from ? `${quiet.from}–${quiet.to}` : '', quiet.weekdays?.length ? `all day ${quiet.weekdays.join(', ')}` : '']
      .filter(Boolean)
      .join(' and ');
    lines.push(`quiet: ${quiet.channel} ${parts} (${(quiet.purposes ?? ['marketing']).join(', ')})`);
  }
  if (rules.caps.length === 0 && rules.quietHours.length === 0) lines.push('no caps and no quiet hours');
  lines.push(
    `complaints: no marketing from "${rules.complaints.openEvent}"${
      rules.complaints.openWhere ? ` (${propertyTestsInWords(rules.complaints.openWhere)})` : ''
    } until "${rules.complaints.closeEvent}"${rules.complaints.openForDays ? ` or ${rules.complaints.openForDays} days` : ''}${rules.complaints.openSupportTask ? ', nor while a support task is open' : ''}`,
  );
  lines.push(`do not contact until: the attribute "${rules.doNotContactAttribute}"`);
  lines.push(`time zone: the attribute "${rules.timezoneAttribute}", else ${rules.timezone ?? `${workspaceTimezone} (the workspace's)`}`);
  lines.push(`global control group: ${rules.globalControlPercent === 0 ? 'none' : `${rules.globalControlPercent} %`}`);
  return lines;
}

function ruleWords(rule: RuleRef): string {
  switch (rule.kind) {
    case 'cap':
      return `cap ${rule.id} "${rule.name}"`;
    case 'quiet_hours':
      return `quiet hours (${rule.channel})`;
    case 'complaint':
      return 'complaint under way';
    case 'do_not_contact':
      return `do not contact until ${rule.until}`;
  }
}
