import type { Schemas } from '../api/client.ts';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import { ReadableText, readableKey, readableValue } from './data-fields.tsx';

/** Still exported here for the pages that read it from the profile card. */
export { displayValue } from './data-fields.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type Customer360 = Schemas['Customer360'];

export function ProfileCard({ profile }: { profile: Customer360['profile'] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.customer360;
  const none = t.app.none;
  const attributes = Object.entries(profile.attributes);
  return (
    <section className="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">{c.profile}</h2>
      <dl className="definition">
        <dt>{c.customerId}</dt>
        <dd className="mono">{profile.externalId}</dd>
        <dt>{c.lifecycle}</dt>
        <dd>
          <span className={`badge badge-${profile.lifecycle}`}>{t.lifecycle[profile.lifecycle]}</span>
        </dd>
        <dt>{c.gender}</dt>
        <dd>{profile.gender ? t.gender[profile.gender] : none}</dd>
        <dt>{c.birthDate}</dt>
        <dd>{profile.birthDate ? format.calendarDate(profile.birthDate) : none}</dd>
        <dt>{c.prefecture}</dt>
        <dd>{profile.prefecture ? t.prefecture(profile.prefecture) : none}</dd>
        <dt>{c.becameCustomerAt}</dt>
        <dd>{profile.becameCustomerAt ? format.dateTime(profile.becameCustomerAt) : none}</dd>
        <dt>{c.createdAt}</dt>
        <dd>{format.dateTime(profile.createdAt)}</dd>
        <dt>{c.updatedAt}</dt>
        <dd>{format.dateTime(profile.updatedAt)}</dd>
        <dt>{c.internalId}</dt>
        <dd className="mono muted">{profile.id}</dd>
      </dl>
      <h3 className="report-section">{c.attributes}</h3>
      {attributes.length === 0 ? (
        <p className="muted">{c.noAttributes}</p>
      ) : (
        <dl className="definition">
          {attributes.map(([key, value]) => (
            <div key={key} className="definition-row">
              <dt>
                <ReadableText readable={readableKey(t, key)} />
              </dt>
              <dd>
                <ReadableText readable={readableValue(t, format, key, value)} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

export function IdentitiesCard({ identities }: { identities: Customer360['identities'] }) {
  const { t } = useI18n();
  const c = t.customer360;
  return (
    <section className="card" aria-labelledby="identities-heading">
      <h2 id="identities-heading">{c.identities}</h2>
      {identities.length === 0 ? (
        <p className="muted">{c.noIdentities}</p>
      ) : (
        <dl className="definition">
          {identities.map((identity) => (
            <div key={`${identity.kind}:${identity.value}`} className="definition-row">
              <dt>{labelOf(c.identityKinds, identity.kind)}</dt>
              <dd className="mono">{identity.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

export function ConsentsCard({ consents }: { consents: Customer360['consents'] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.customer360;
  return (
    <section className="card" aria-labelledby="consents-heading">
      <h2 id="consents-heading">{c.consents}</h2>
      {consents.length === 0 ? (
        <p className="muted">{c.noConsents}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-compact" aria-labelledby="consents-heading">
            <thead>
              <tr>
                <th scope="col">{c.consentColumns.channel}</th>
                <th scope="col">{c.consentColumns.purpose}</th>
                <th scope="col">{c.consentColumns.status}</th>
                <th scope="col">{c.consentColumns.changedAt}</th>
                <th scope="col">{c.consentColumns.source}</th>
              </tr>
            </thead>
            <tbody>
              {consents.map((consent) => (
                <tr key={`${consent.channel}:${consent.purpose}`}>
                  <td>{t.channels.consent[consent.channel]}</td>
                  <td>{t.consent.purpose[consent.purpose]}</td>
                  <td>
                    <span className={`badge badge-${consent.status}`}>{t.consent.status[consent.status]}</span>
                  </td>
                  <td className="nowrap">{format.dateTime(consent.changedAt)}</td>
                  <td>{consent.source ? <ReadableText readable={readableValue(t, format, 'source', consent.source)} /> : t.app.none}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
