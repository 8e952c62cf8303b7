import type pg from 'pg';
import { AnalyticsEngine } from './analytics-engine.ts';

const engines = new WeakMap<pg.Pool, AnalyticsEngine>();

/**
 * The process's analytics engine of a database (one per pool), shared by the HTTP routes, the
 * KPI board and the CLI, so a workspace's purchases are held once.
 */
export function analyticsEngineFor(pool: pg.Pool): AnalyticsEngine {
  let engine = engines.get(pool);
  if (!engine) {
    engine = new AnalyticsEngine(pool);
    engines.set(pool, engine);
  }
  return engine;
}
