import { Link } from 'react-router';
import type { Messages } from '../i18n/ja.ts';
import type { Column } from './chart-card.tsx';

/** The columns naming a customer in an analytics list, as the customer list names them: the name, a link to the customer, and the brand's own ID. */
export function customerColumns<Row extends { customerId: string; name: string | null; externalId: string }>(t: Messages, workspace: string): Column<Row>[] {
  const c = t.customers.columns;
  const base = `/w/${encodeURIComponent(workspace)}/customers`;
  return [
    {
      label: c.name,
      value: (r) => r.name,
      cell: (r) => (
        <Link className="row-link" to={`${base}/${r.customerId}`}>
          {r.name ?? t.customers.unnamed}
        </Link>
      ),
    },
    { label: c.customerId, value: (r) => r.externalId, cell: (r) => <span className="mono">{r.externalId}</span> },
  ];
}
