/** A figure with its label, as the summary tiles show it (home, purchases, import report). */
export function Stat({ label, value, note, variant }: { label: string; value: string; note?: string; variant?: 'wide' | 'bad' }) {
  return (
    <div className={variant ? `stat stat-${variant}` : 'stat'}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {note && <div className="stat-note">{note}</div>}
    </div>
  );
}
