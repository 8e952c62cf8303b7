import { useEffect, useState } from 'react';
import { useCoverage } from '../analytics/data-end.ts';
import { addDays, isDate } from '../analytics/dates.ts';
import { oneOf, useQueryState } from '../analytics/search-params.ts';
import { useI18n } from '../i18n/i18n.tsx';

export const PRESET_DAYS = ['30', '90', '365'] as const;
export type PresetDays = (typeof PRESET_DAYS)[number];

/** The days of a period of flows, both included, as GET …/journey/flows and …/journey/export take them. */
export interface JourneyPeriod {
  from: string;
  to: string;
}

export type PeriodChoice = { kind: 'preset'; days: PresetDays } | { kind: 'custom'; period: JourneyPeriod };

/**
 * The period of the flows from the URL: ?from&to (custom days, both included), else ?days=30|90|365
 * (default 30). `period` is the days to ask for: a preset ends today in the workspace's time zone
 * by the server's clock (GET …/analytics/coverage), so it is undefined until that is known.
 */
export function useJourneyPeriod() {
  const query = useQueryState();
  const coverage = useCoverage();
  const from = query.get('from');
  const to = query.get('to');
  const choice: PeriodChoice =
    isDate(from) && isDate(to) && from <= to ? { kind: 'custom', period: { from, to } } : { kind: 'preset', days: oneOf(PRESET_DAYS, query.get('days'), '30') };
  let period: JourneyPeriod | undefined;
  if (choice.kind === 'custom') period = choice.period;
  else if (coverage.state === 'ready') period = { from: addDays(coverage.data.today, 1 - Number(choice.days)), to: coverage.data.today };
  return {
    choice,
    period,
    today: coverage.state === 'ready' ? coverage.data.today : undefined,
    choose: (next: PeriodChoice) =>
      query.set(
        next.kind === 'preset'
          ? { days: next.days === '30' ? undefined : next.days, from: undefined, to: undefined }
          : { days: undefined, from: next.period.from, to: next.period.to },
      ),
  };
}

/** Last 30 / 90 / 365 days, or two dates (applied once both are dates in order). */
export function PeriodChooser({
  choice,
  period,
  today,
  onChange,
}: {
  choice: PeriodChoice;
  period: JourneyPeriod | undefined;
  today: string | undefined;
  onChange(next: PeriodChoice): void;
}) {
  const { t } = useI18n();
  const p = t.journey.period;
  const [custom, setCustom] = useState(choice.kind === 'custom');
  const [from, setFrom] = useState(period?.from ?? '');
  const [to, setTo] = useState(period?.to ?? '');
  useEffect(() => {
    if (period) {
      setFrom(period.from);
      setTo(period.to);
    }
  }, [period?.from, period?.to]);
  useEffect(() => setCustom(choice.kind === 'custom'), [choice.kind]);
  const valid = isDate(from) && isDate(to) && from <= to;
  const apply = (nextFrom: string, nextTo: string) => {
    if (isDate(nextFrom) && isDate(nextTo) && nextFrom <= nextTo) onChange({ kind: 'custom', period: { from: nextFrom, to: nextTo } });
  };
  return (
    <div className="journey-period">
      <div className="field">
        <span id="journey-period-label">{p.label}</span>
        <div className="segmented" role="group" aria-labelledby="journey-period-label">
          {PRESET_DAYS.map((days) => (
            <button
              key={days}
              type="button"
              aria-pressed={!custom && choice.kind === 'preset' && choice.days === days}
              onClick={() => {
                setCustom(false);
                onChange({ kind: 'preset', days });
              }}
            >
              {p.presets[days]}
            </button>
          ))}
          <button type="button" aria-pressed={custom} onClick={() => setCustom(true)}>
            {p.custom}
          </button>
        </div>
      </div>
      {custom && (
        <>
          <label className="field">
            <span>{p.from}</span>
            <input
              type="date"
              value={from}
              max={today}
              onChange={(e) => {
                setFrom(e.target.value);
                apply(e.target.value, to);
              }}
            />
          </label>
          <label className="field">
            <span>{p.to}</span>
            <input
              type="date"
              value={to}
              max={today}
              onChange={(e) => {
                setTo(e.target.value);
                apply(from, e.target.value);
              }}
            />
          </label>
          {!valid && (
            <p className="field-error" role="alert">
              {p.badPeriod}
            </p>
          )}
        </>
      )}
    </div>
  );
}
