import { Link } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { charterPath } from './labels.tsx';
import { findingKey } from './finding-edits.ts';

export type Override = Schemas['TemplateOverride'];

/**
 * Overrides of the publish gate as a table: when (and the charter version), who, the written
 * reason, and the errors published over; with `withTemplate`, which template (a deleted one by
 * its name, marked deleted).
 */
export function OverrideTable({ overrides, withTemplate }: { overrides: Override[]; withTemplate?: boolean }) {
  const { t, locale } = useI18n();
  const tt = t.charter.template;
  const { workspace, format } = useCurrentWorkspace();
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{tt.overrideAt}</th>
            {withTemplate && <th scope="col">{tt.logTemplate}</th>}
            <th scope="col">{tt.overrideBy}</th>
            <th scope="col">{tt.overrideReasonColumn}</th>
            <th scope="col">{tt.overrideFindings}</th>
          </tr>
        </thead>
        <tbody>
          {overrides.map((override) => (
            <tr key={override.id}>
              <td>
                {format.dateTime(override.createdAt)}
                <br />
                <span className="muted small">
                  {tt.checkedAgainst} {tt.charterVersion(String(override.charterVersion))}
                </span>
              </td>
              {withTemplate && (
                <td>
                  {override.templateId === null ? (
                    <>
                      {override.templateName} <span className="badge">{tt.logDeleted}</span>
                    </>
                  ) : (
                    <Link to={charterPath(workspace.name, 'templates', override.templateId)}>{override.templateName}</Link>
                  )}
                </td>
              )}
              <td>{override.overriddenBy}</td>
              <td className="override-reason">{override.reason}</td>
              <td>
                <ul className="override-findings">
                  {override.findings.map((finding) => (
                    <li key={findingKey(finding)}>
                      「{finding.text}」 {finding.message[locale]}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
