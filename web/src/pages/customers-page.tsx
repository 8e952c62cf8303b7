import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import {
  anyFilter,
  DIRECTIONS,
  filtersFromParams,
  filtersToParams,
  GENDERS,
  LIFECYCLES,
  NO_FILTERS,
  PREFECTURES,
  RFM_SEGMENTS,
  SORTS,
  SUBSCRIPTION_FILTERS,
  type CustomerFilters,
  type CustomerSort,
} from '../customers/customer-filters.ts';
import { JourneyFilterChip } from '../customers/journey-filter-chip.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;

/**
 * The cursors of the pages before this one, kept in the history entry: "previous" pops one,
 * and coming back from a customer's page lands on the same page of the list.
 */
interface ListHistoryState {
  cursors?: string[];
}

/** Where the customer's page "back" link returns to. */
export interface BackToList {
  search: string;
  state: unknown;
}

export function CustomersPage() {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const filters = filtersFromParams(params);
  const cursors = (location.state as ListHistoryState | null)?.cursors ?? [];
  const cursor = cursors.at(-1);

  const page = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/customers', {
          params: {
            path: { workspace: workspace.name },
            query: {
              limit: PAGE_SIZE,
              ...(filters.q ? { q: filters.q } : {}),
              ...(filters.lifecycle ? { lifecycle: filters.lifecycle } : {}),
              ...(filters.prefecture ? { prefecture: filters.prefecture } : {}),
              ...(filters.gender ? { gender: filters.gender } : {}),
              ...(filters.rfmSegment ? { rfmSegment: filters.rfmSegment } : {}),
              ...(filters.subscription ? { subscription: filters.subscription } : {}),
              ...(filters.purchaseCountMin !== undefined ? { purchaseCountMin: filters.purchaseCountMin } : {}),
              ...(filters.purchaseCountMax !== undefined ? { purchaseCountMax: filters.purchaseCountMax } : {}),
              ...(filters.journeyStage ? { journeyStage: filters.journeyStage } : {}),
              ...(filters.journeyLevel ? { journeyLevel: filters.journeyLevel } : {}),
              sort: filters.sort,
              order: filters.order,
              ...(cursor ? { cursor } : {}),
            },
          },
          signal,
        }),
      ),
    [workspace.name, params.toString(), cursor],
  );

  const applyFilters = (next: CustomerFilters) => setParams(filtersToParams(next), { replace: true, state: { cursors: [] } });
  const goToPage = (nextCursors: string[]) => setParams(params, { state: { cursors: nextCursors } });

  return (
    <>
      <h1>{t.customers.title}</h1>
      <FilterBar filters={filters} onChange={applyFilters} />
      {(filters.journeyStage || filters.journeyLevel) && (
        <JourneyFilterChip
          stage={filters.journeyStage}
          level={filters.journeyLevel}
          onClear={() => applyFilters({ ...filters, journeyStage: undefined, journeyLevel: undefined })}
        />
      )}
      {page.state === 'loading' && <Loading />}
      {page.state === 'failed' && <Failure error={page.error} retry={page.reload} />}
      {page.state === 'ready' && (
        <>
          <p className="muted" aria-live="polite">
            {t.customers.count(format.integer(page.data.total.value), page.data.total.exact)}
          </p>
          {page.data.items.length === 0 ? (
            <p className="status">{t.customers.empty}</p>
          ) : (
            <CustomerTable customers={page.data.items} refreshing={page.refreshing} filters={filters} onChange={applyFilters} />
          )}
          <nav className="list-footer" aria-label={t.customers.pagination}>
            <span className="muted">{t.customers.page(format.integer(cursors.length + 1))}</span>
            <div className="actions">
              <button type="button" className="button" disabled={cursors.length === 0} onClick={() => goToPage(cursors.slice(0, -1))}>
                ← {t.customers.previous}
              </button>
              <button
                type="button"
                className="button"
                disabled={!page.data.nextCursor}
                onClick={() => page.data.nextCursor && goToPage([...cursors, page.data.nextCursor])}
              >
                {t.customers.next} →
              </button>
            </div>
          </nav>
        </>
      )}
    </>
  );
}

function FilterBar({ filters, onChange }: { filters: CustomerFilters; onChange(next: CustomerFilters): void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(filters.q);
  // The pending search applies to the filters as they are when it fires, not when typed.
  const latest = useRef({ filters, onChange });
  useEffect(() => {
    latest.current = { filters, onChange };
  });
  // Search as the operator types, once they pause; a change from elsewhere (clear) resets the box.
  useEffect(() => setDraft(filters.q), [filters.q]);
  useEffect(() => {
    if (draft.trim() === latest.current.filters.q) return;
    const timer = setTimeout(() => latest.current.onChange({ ...latest.current.filters, q: draft }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft]);

  const l = t.customers.list;
  const countInput = (value: string) => (/^\d{1,9}$/.test(value) ? Number(value) : undefined);
  return (
    <form
      className="toolbar"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ ...filters, q: draft });
      }}
    >
      <label className="field search">
        <span>{t.customers.searchLabel}</span>
        <input type="search" value={draft} placeholder={t.customers.searchPlaceholder} onChange={(e) => setDraft(e.target.value)} />
      </label>
      <label className="field">
        <span>{t.customers.lifecycle}</span>
        <select value={filters.lifecycle ?? ''} onChange={(e) => onChange({ ...filters, lifecycle: LIFECYCLES.find((v) => v === e.target.value) })}>
          <option value="">{t.customers.all}</option>
          {LIFECYCLES.map((v) => (
            <option key={v} value={v}>
              {t.lifecycle[v]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t.customers.prefecture}</span>
        <select value={filters.prefecture ?? ''} onChange={(e) => onChange({ ...filters, prefecture: PREFECTURES.find((v) => v === e.target.value) })}>
          <option value="">{t.customers.all}</option>
          {PREFECTURES.map((v) => (
            <option key={v} value={v}>
              {t.prefecture(v)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t.customers.gender}</span>
        <select value={filters.gender ?? ''} onChange={(e) => onChange({ ...filters, gender: GENDERS.find((v) => v === e.target.value) })}>
          <option value="">{t.customers.all}</option>
          {GENDERS.map((v) => (
            <option key={v} value={v}>
              {t.gender[v]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{l.rfmSegment}</span>
        <select value={filters.rfmSegment ?? ''} onChange={(e) => onChange({ ...filters, rfmSegment: RFM_SEGMENTS.find((v) => v === e.target.value) })}>
          <option value="">{t.customers.all}</option>
          {RFM_SEGMENTS.map((v) => (
            <option key={v} value={v}>
              {t.analytics.rfm.segmentNames[v]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t.customers.subscriptionFilter.label}</span>
        <select
          value={filters.subscription ?? ''}
          onChange={(e) => onChange({ ...filters, subscription: SUBSCRIPTION_FILTERS.find((v) => v === e.target.value) })}
        >
          <option value="">{t.customers.all}</option>
          {SUBSCRIPTION_FILTERS.map((v) => (
            <option key={v} value={v}>
              {t.customers.subscriptionFilter.values[v]}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="field field-range">
        <legend>{l.purchaseCount}</legend>
        <input
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          aria-label={l.purchaseCountMin}
          value={filters.purchaseCountMin ?? ''}
          onChange={(e) => onChange({ ...filters, purchaseCountMin: countInput(e.target.value) })}
        />
        <span aria-hidden="true">{l.purchaseCountRange}</span>
        <input
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          aria-label={l.purchaseCountMax}
          value={filters.purchaseCountMax ?? ''}
          onChange={(e) => onChange({ ...filters, purchaseCountMax: countInput(e.target.value) })}
        />
      </fieldset>
      <label className="field">
        <span>{l.sort}</span>
        <select
          value={`${filters.sort}:${filters.order}`}
          title={l.sortHint}
          onChange={(e) => {
            const [sort, order] = e.target.value.split(':');
            onChange({ ...filters, sort: SORTS.find((v) => v === sort) ?? filters.sort, order: DIRECTIONS.find((v) => v === order) ?? filters.order });
          }}
        >
          {SORTS.flatMap((sort) =>
            DIRECTIONS.map((order) => (
              <option key={`${sort}:${order}`} value={`${sort}:${order}`}>
                {l.sorts[`${sort}:${order}`]}
              </option>
            )),
          )}
        </select>
      </label>
      {anyFilter(filters) && (
        <button type="button" className="button button-quiet" onClick={() => onChange({ ...NO_FILTERS, sort: filters.sort, order: filters.order })}>
          {t.customers.clearFilters}
        </button>
      )}
    </form>
  );
}

function CustomerTable({
  customers,
  refreshing,
  filters,
  onChange,
}: {
  customers: Schemas['CustomerListItem'][];
  refreshing: boolean;
  filters: CustomerFilters;
  onChange(next: CustomerFilters): void;
}) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const navigate = useNavigate();
  const location = useLocation();
  // The customer's page links back to this very page of the list (filters and cursors).
  const back: BackToList = { search: location.search, state: location.state };
  const none = t.app.none;
  const c = t.customers.columns;
  return (
    <div className={refreshing ? 'table-wrap is-refreshing' : 'table-wrap'} aria-busy={refreshing}>
      <table aria-label={t.customers.tableLabel}>
        <thead>
          <tr>
            <th scope="col">{c.name}</th>
            <th scope="col">{c.nameKana}</th>
            <th scope="col">{c.customerId}</th>
            <th scope="col">{c.lifecycle}</th>
            <th scope="col">{c.prefecture}</th>
            <th scope="col" className="num">
              {c.purchaseCount}
            </th>
            <SortableHeader sort="totalSpend" label={c.purchaseTotal} className="num" filters={filters} onChange={onChange} />
            <SortableHeader sort="clv" label={t.customers.list.clv} title={t.customers.list.clvTitle} className="num" filters={filters} onChange={onChange} />
            <SortableHeader sort="lastPurchase" label={c.lastPurchaseAt} filters={filters} onChange={onChange} />
          </tr>
        </thead>
        <tbody>
          {customers.map((customer) => (
            // The whole row opens the customer; the name is the link for keyboards and screen readers.
            <tr key={customer.id} className="clickable" onClick={() => navigate(customer.id, { state: { back } })}>
              <td>
                <Link className="row-link" to={customer.id} state={{ back }} onClick={(e) => e.stopPropagation()}>
                  {customer.name ?? t.customers.unnamed}
                </Link>
              </td>
              <td className="kana">{customer.nameKana ?? none}</td>
              <td className="mono">{customer.externalId}</td>
              <td>
                <span className={`badge badge-${customer.lifecycle}`}>{t.lifecycle[customer.lifecycle]}</span>
              </td>
              <td>{customer.prefecture ? t.prefecture(customer.prefecture) : none}</td>
              <td className="num">{format.integer(customer.purchaseCount)}</td>
              <td className="num">{format.money(customer.purchaseTotal)}</td>
              <td className="num">{customer.clv === null ? none : format.money(customer.clv)}</td>
              <td className="nowrap">{customer.lastPurchaseAt ? format.date(customer.lastPurchaseAt) : none}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A column header that sorts the list: the first click sorts by it, highest or newest first;
 * the next reverses the direction. aria-sort tells screen readers the current order.
 */
function SortableHeader({
  sort,
  label,
  title,
  className,
  filters,
  onChange,
}: {
  sort: CustomerSort;
  label: string;
  title?: string;
  className?: string;
  filters: CustomerFilters;
  onChange(next: CustomerFilters): void;
}) {
  const { t } = useI18n();
  const active = filters.sort === sort;
  const direction = active ? filters.order : null;
  const next = active && filters.order === 'desc' ? 'asc' : 'desc';
  return (
    <th scope="col" className={className} aria-sort={direction === null ? 'none' : direction === 'desc' ? 'descending' : 'ascending'}>
      <button
        type="button"
        className="sort-button"
        title={title}
        aria-label={t.customers.list.sortBy(label, direction)}
        onClick={() => onChange({ ...filters, sort, order: next })}
      >
        {label}
        <span aria-hidden="true" className="sort-mark">
          {direction === 'desc' ? ' ▼' : direction === 'asc' ? ' ▲' : ' ⇅'}
        </span>
      </button>
    </th>
  );
}
