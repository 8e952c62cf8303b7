import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { Role } from '../session/session.tsx';
import './access.css';

export const ROLES: readonly Role[] = ['admin', 'marketing', 'support', 'site_operations', 'sales', 'read_only'];

/** A role chooser with the roles' names in the console's language. */
export function RoleSelect({ value, onChange, label, disabled }: { value: Role; onChange(role: Role): void; label?: string; disabled?: boolean }) {
  const { t } = useI18n();
  return (
    <select value={value} aria-label={label} disabled={disabled} onChange={(e) => onChange(ROLES.find((r) => r === e.target.value) ?? value)}>
      {ROLES.map((role) => (
        <option key={role} value={role}>
          {t.access.roles[role]}
        </option>
      ))}
    </select>
  );
}

/** What happened last on the page: a notice, a secret shown once (a key, a first password), or an error. */
export type Outcome = { kind: 'notice'; text: string; secret?: string } | { kind: 'failed'; error: Error; text?: string };

export function OutcomeMessage({ outcome }: { outcome: Outcome | undefined }) {
  if (!outcome) return null;
  if (outcome.kind === 'failed') {
    return outcome.text ? (
      <div className="alert alert-error" role="alert">
        {outcome.text}
      </div>
    ) : (
      <Failure error={outcome.error} />
    );
  }
  return (
    <div className="alert alert-ok" role="status">
      {outcome.text}
      {outcome.secret && <code className="once-secret">{outcome.secret}</code>}
    </div>
  );
}

/** An API conflict (409) as one of the page's own messages, anything else as it came. */
export function failed(error: unknown, conflictText?: string): Outcome {
  const asError = error instanceof Error ? error : new Error(String(error));
  return asError instanceof ApiError && asError.status === 409 && conflictText
    ? { kind: 'failed', error: asError, text: conflictText }
    : { kind: 'failed', error: asError };
}

/**
 * A form's submit for the access pages: busy while `work` runs, its outcome (or the failure,
 * a 409 worded by `conflictText`) handed to the page.
 */
export function useOutcomeSubmit(onOutcome: (outcome: Outcome) => void, conflictText?: string) {
  const [busy, setBusy] = useState(false);
  const submit = (work: () => Promise<Outcome>) => async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      onOutcome(await work());
    } catch (error) {
      onOutcome(failed(error, conflictText));
    } finally {
      setBusy(false);
    }
  };
  return { busy, submit };
}
