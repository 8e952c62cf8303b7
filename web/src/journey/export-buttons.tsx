import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import type { JourneyPeriod } from './period-chooser.tsx';

const FORMATS = ['svg', 'png', 'pdf'] as const;
type ExportFormat = (typeof FORMATS)[number];
const PAPERS = ['a4', 'a3'] as const;
type Paper = (typeof PAPERS)[number];

/** GET …/journey/export for the current period, in the console's language: the server answers with the file as an attachment. */
export function exportUrl(workspace: string, format: ExportFormat, paper: Paper, locale: string, period: JourneyPeriod | undefined): string {
  const query = new URLSearchParams({ format, paper, locale });
  if (period) {
    query.set('from', period.from);
    query.set('to', period.to);
  }
  return `/api/v1/workspaces/${encodeURIComponent(workspace)}/journey/export?${query.toString()}`;
}

/** The paper (A4 / A3), a download link per format, and Print (the page's print style fills a landscape sheet with the diagram). */
export function ExportButtons({ period }: { period: JourneyPeriod | undefined }) {
  const { t, locale } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const e = t.journey.exports;
  const [paper, setPaper] = useState<Paper>('a4');
  return (
    <div className="journey-exports" role="group" aria-label={e.title}>
      <label className="field">
        <span>{e.paper}</span>
        <select value={paper} onChange={(event) => setPaper(PAPERS.find((p) => p === event.target.value) ?? 'a4')}>
          {PAPERS.map((p) => (
            <option key={p} value={p}>
              {e.papers[p]}
            </option>
          ))}
        </select>
      </label>
      <div className="field">
        <span>{e.title}</span>
        <div className="actions">
          {FORMATS.map((format) => (
            <a
              key={format}
              className="button"
              href={exportUrl(workspace.name, format, paper, locale, period)}
              download
              aria-label={e.download(e[format], e.papers[paper])}
              title={e.download(e[format], e.papers[paper])}
            >
              {e[format]}
            </a>
          ))}
          <button type="button" className="button" onClick={() => window.print()}>
            {e.print}
          </button>
        </div>
      </div>
    </div>
  );
}
