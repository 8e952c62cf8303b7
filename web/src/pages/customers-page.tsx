import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import {
  filtersFromParams, filtersToParams, GENDERS, LIFECYCLES, PREFECTURES, type CustomerFilters,
} from '../customers/customer-filters.ts';
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

  const page = useApiData((signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/customers', {
    params: {
      path: { workspace: workspace.name },
      query: {
        limit: PAGE_SIZE,
        ...(filters.q ? { q: filters.q } : {}),
        ...(filters.lifecycle ? { lifecycle: filters.lifecycle } : {}),
        ...(filters.prefecture ? { prefecture: filters.prefecture } : {}),
        ...(filters.gender ? { gender: filters.gender } : {}),
        ...(cursor ? { cursor } : {}),
      },
    },
    signal,
  })), [workspace.name, params.toString(), cursor]);

  const applyFilters = (next: CustomerFilters) => setParams(filtersToParams(next), { replace: true, state: { cursors: [] } });
  const goToPage = (nextCursors: string[]) => setParams(params, { state: { cursors: nextCursors } });

  return (
    <>
      <h1>{t.customers.title}</h1>
      <FilterBar filters={filters} onChange={applyFilters} />
      {page.state === 'loading' && <Loading />}
      {page.state === 'failed' && <Failure error={page.error} retry={page.reload} />}
      {page.state === 'ready' && (
        <>
          <p className="muted" aria-live="polite">
            {t.customers.count(format.integer(page.data.total.value), page.data.total.exact)}
          </p>
          {page.data.items.length === 0
            ? <p className="status">{t.customers.empty}</p>
            : <CustomerTable customers={page.data.items} refreshing={page.refreshing} />}
          <nav className="list-footer" aria-label={t.customers.pagination}>
            <span className="muted">{t.customers.page(format.integer(cursors.length + 1))}</span>
            <div className="actions">
              <button type="button" className="button" disabled={cursors.length === 0} onClick={() => goToPage(cursors.slice(0, -1))}>
                ← {t.customers.previous}
              </button>
              <button
                type="button" className="button" disabled={!page.data.nextCursor}
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

  const anyFilter = filters.q || filters.lifecycle || filters.prefecture || filters.gender;
  return (
    <form className="toolbar" role="search" onSubmit={(event) => { event.preventDefault(); onChange({ ...filters, q: draft }); }}>
      <label className="field search">
        <span>{t.customers.searchLabel}</span>
        <input type="search" value={draft} placeholder={t.customers.searchPlaceholder} onChange={(e) => setDraft(e.target.value)} />
      </label>
      <label className="field">
        <span>{t.customers.lifecycle}</span>
        <select value={filters.lifecycle ?? ''} onChange={(e) => onChange({ ...filters, lifecycle: LIFECYCLES.find((v) => v === e.target.value) })}>
          <option value="">{t.customers.all}</option>
          {LIFECYCLES.map((v) => <option key={v} value={v}>{t.lifecycle[v]}</option>)}
        </select>
      </label>
      <label className="field">
        <span>{t.customers.prefecture}</span>
        <select value={filters.prefecture ?? ''} onChange={(e) => onChange({ ...filters, prefecture: PREFECTURES.find((v) => v === e.target.value) })}>
          <option value="">{t.customers.all}</option>
          {PREFECTURES.map((v) => <option key={v} value={v}>{t.prefecture(v)}</option>)}
        </select>
      </label>
      <label className="field">
        <span>{t.customers.gender}</span>
        <select value={filters.gender ?? ''} onChange={(e) => onChange({ ...filters, gender: GENDERS.find((v) => v === e.target.value) })}>
          <option value="">{t.customers.all}</option>
          {GENDERS.map((v) => <option key={v} value={v}>{t.gender[v]}</option>)}
        </select>
      </label>
      {anyFilter && (
        <button type="button" className="button button-quiet" onClick={() => onChange({ q: '', lifecycle: undefined, prefecture: undefined, gender: undefined })}>
          {t.customers.clearFilters}
        </button>
      )}
    </form>
  );
}

function CustomerTable({ customers, refreshing }: { customers: Schemas['CustomerListItem'][]; refreshing: boolean }) {
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
            <th scope="col" className="num">{c.purchaseCount}</th>
            <th scope="col" className="num">{c.purchaseTotal}</th>
            <th scope="col">{c.lastPurchaseAt}</th>
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
              <td><span className={`badge badge-${customer.lifecycle}`}>{t.lifecycle[customer.lifecycle]}</span></td>
              <td>{customer.prefecture ? t.prefecture(customer.prefecture) : none}</td>
              <td className="num">{format.integer(customer.purchaseCount)}</td>
              <td className="num">{format.money(customer.purchaseTotal)}</td>
              <td className="nowrap">{customer.lastPurchaseAt ? format.date(customer.lastPurchaseAt) : none}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
