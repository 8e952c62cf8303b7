import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { cliJson, runKizuna } from '../../test/support/cli.ts';
import { connectTestDatabase } from '../../test/support/database.ts';
import { demoLastDay } from '../demo/calendar.ts';
import { systemClock } from '../shared/clock.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

/** Yesterday in Tokyo by the real clock: what the CLI, which runs on it, must end the history on. */
const yesterday = () => demoLastDay({ clock: systemClock, timezone: 'Asia/Tokyo' });

describe('kizuna demo', () => {
  it('ends the history yesterday by default, on --until when given, and reports the subscriptions', async () => {
    const workspace = `demo-${randomUUID().slice(0, 8)}`;
    const before = yesterday();
    const summary = cliJson(await runKizuna('demo', workspace, ['--customers', '200', '--seed', '3', '--json']));
    // Read around the run, so a run across midnight in Tokyo passes too.
    expect([before, yesterday()]).toContain(summary.window.until);
    expect(summary.rows.subscriptions).toBeGreaterThan(0);
    expect(summary.subscriptionsInForce).toBeGreaterThan(0);

    const fixed = cliJson(await runKizuna('demo', workspace, ['--customers', '200', '--seed', '3', '--until', '2026-10-31', '--replace', '--json']));
    expect(fixed.window).toEqual({ from: '2024-11-01', until: '2026-10-31' });
    const {
      rows: [row],
    } = await database.pool.query(
      `select max(o.ordered_at) < timestamptz '2026-11-01 00:00+09' as ends_on_the_day, count(distinct s.id)::int as subscriptions
         from workspaces w join orders o on o.workspace_id = w.id left join subscriptions s on s.workspace_id = w.id where w.name = $1`,
      [workspace],
    );
    expect(row).toEqual({ ends_on_the_day: true, subscriptions: fixed.rows.subscriptions });
  });
});
