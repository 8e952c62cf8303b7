import { useEffect, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useToday } from './data-end.ts';
import { addDays, isDate, lastWholeMonths } from './dates.ts';
import { countUpTo, oneOf, useQueryDraft, useQueryState } from './search-params.ts';

export interface Period {
  from: string;
  /** Excluded: the period is [from, to), as the API takes it. */
  to: string;
}

const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** What a period is compared with: the period just before it, or the same period a year earlier. */
export const COMPARISONS = ['previous', 'year'] as const;
export type Comparison = (typeof COMPARISONS)[number];

const PRESET_MONTHS = [1, 3, 6, 12] as const;

/**
 * The period of the URL (?from&to, to excluded), else the `months` whole months before the
 * data's end; the granularity (?granularity, default month); the comparison (?compare,
 * default the previous period).
 */
export function usePeriodQuery(dataEnd: string, months = 12) {
  const query = useQueryState();
  const fallback = lastWholeMonths(dataEnd, months);
  const from = query.get('from');
  const to = query.get('to');
  const period: Period = isDate(from) && isDate(to) && from < to ? { from, to } : fallback;
  const granularity = oneOf(GRANULARITIES, query.get('granularity'), 'month');
  const comparison = oneOf(COMPARISONS, query.get('compare'), 'previous');
  return {
    period,
    granularity,
    comparison,
    setPeriod: (next: Period) => query.set({ from: next.from, to: next.to }),
    setGranularity: (next: Granularity) => query.set({ granularity: next }),
    setComparison: (next: Comparison) => query.set({ compare: next }),
    query,
  };
}

/**
 * The period as people say it: a first and a last day, both included (the URL and the API
 * keep the day after the last), with shortcuts to the last whole months of data.
 */
export function PeriodControls({
  period,
  dataEnd,
  onChange,
  children,
}: {
  period: Period;
  dataEnd: string;
  onChange(next: Period): void;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const c = t.analytics.controls;
  const [from, setFrom] = useState(period.from);
  const [until, setUntil] = useState(addDays(period.to, -1));
  useEffect(() => {
    setFrom(period.from);
    setUntil(addDays(period.to, -1));
  }, [period.from, period.to]);
  const valid = isDate(from) && isDate(until) && from <= until;
  const apply = (nextFrom: string, nextUntil: string) => {
    if (isDate(nextFrom) && isDate(nextUntil) && nextFrom <= nextUntil) onChange({ from: nextFrom, to: addDays(nextUntil, 1) });
  };
  return (
    <div className="toolbar analytics-controls">
      <label className="field">
        <span>{c.from}</span>
        <input
          type="date"
          value={from}
          onChange={(e) => {
            setFrom(e.target.value);
            apply(e.target.value, until);
          }}
        />
      </label>
      <label className="field">
        <span>{c.until}</span>
        <input
          type="date"
          value={until}
          onChange={(e) => {
            setUntil(e.target.value);
            apply(from, e.target.value);
          }}
        />
      </label>
      <div className="field">
        <span>{c.presets}</span>
        <div className="segmented" role="group" aria-label={c.presets}>
          {PRESET_MONTHS.map((months) => {
            const preset = lastWholeMonths(dataEnd, months);
            const active = preset.from === period.from && preset.to === period.to;
            return (
              <button key={months} type="button" aria-pressed={active} onClick={() => onChange(preset)}>
                {c.lastMonths(months)}
              </button>
            );
          })}
        </div>
      </div>
      {children}
      {!valid && (
        <p className="field-error" role="alert">
          {c.badPeriod}
        </p>
      )}
    </div>
  );
}

export function GranularitySelect({ value, onChange }: { value: Granularity; onChange(next: Granularity): void }) {
  const { t } = useI18n();
  const c = t.analytics.controls;
  return (
    <label className="field">
      <span>{c.granularity}</span>
      <select value={value} onChange={(e) => onChange(oneOf(GRANULARITIES, e.target.value, 'month'))}>
        {GRANULARITIES.map((g) => (
          <option key={g} value={g}>
            {c.granularities[g]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The date the customer base is analysed as of: the URL's (?asOf), else today in the workspace's time zone (the CLI's default too), else the data's end. */
export function useAsOfQuery(dataEnd: string) {
  const query = useQueryState();
  const today = useToday();
  const asOf = query.get('asOf');
  return { asOf: isDate(asOf) ? asOf : (today ?? dataEnd), setAsOf: (next: string) => query.set({ asOf: next }), query };
}

export function ComparisonSelect({ value, onChange }: { value: Comparison; onChange(next: Comparison): void }) {
  const { t } = useI18n();
  const c = t.analytics.controls;
  return (
    <label className="field">
      <span>{c.compare}</span>
      <select value={value} onChange={(e) => onChange(oneOf(COMPARISONS, e.target.value, 'previous'))}>
        {COMPARISONS.map((comparison) => (
          <option key={comparison} value={comparison}>
            {c.comparisons[comparison]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The as-of date, for the analyses of the customer base. */
export function AsOfField({ value, onChange }: { value: string; onChange(next: string): void }) {
  const { t } = useI18n();
  const c = t.analytics.controls;
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <label className="field" title={c.asOfNote}>
      <span>{c.asOf}</span>
      <input
        type="date"
        value={draft}
        onChange={(e) => {
          setDraft(e.target.value);
          if (isDate(e.target.value)) onChange(e.target.value);
        }}
      />
    </label>
  );
}

/** W, a window in days (F2, step-up): typed freely, applied once it is a whole number from 1 to `max`. */
export function WithinField({ label, value, max, onChange }: { label: string; value: number; max: number; onChange(next: number): void }) {
  const [draft, setDraft] = useQueryDraft(value, String, (text) => countUpTo(text, max) ?? null, onChange);
  return (
    <label className="field field-narrow">
      <span>{label}</span>
      <input type="number" min={1} max={max} value={draft} onChange={(e) => setDraft(e.target.value)} />
    </label>
  );
}
