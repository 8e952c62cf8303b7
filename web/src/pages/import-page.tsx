import { useState, type FormEvent } from 'react';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ColumnMappingStep } from '../import/column-mapping-step.tsx';
import {
  IMPORT_KINDS,
  runImport,
  type ColumnMapping,
  type ImportKind,
  type ImportMode,
  type ImportReport,
  type OrderTimeRule,
} from '../import/import-client.ts';
import { ImportReportView } from '../import/import-report.tsx';
import { forgetMapping, mappingForFile, rememberedMapping, rememberMapping } from '../import/remembered-mapping.ts';
import { canWrite } from '../session/session.tsx';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

/**
 * The steps of an import: choose a file, preview it (a dry run that stores nothing), map the
 * columns no field takes when there are any (the mapping is remembered for the next file of the
 * same kind), then import it whole (all-or-nothing) or its valid rows only.
 */
type ImportStep =
  | { step: 'choose' }
  | { step: 'checking' }
  | { step: 'previewed'; report: ImportReport }
  | { step: 'importing'; report: ImportReport }
  | { step: 'stored'; report: ImportReport }
  | { step: 'rejected'; report: ImportReport }
  | { step: 'failed'; error: Error; report?: ImportReport };

export function ImportPage() {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const [kind, setKind] = useState<ImportKind>('orders');
  const [file, setFile] = useState<File | undefined>(undefined);
  const [inputKey, setInputKey] = useState(0);
  const [state, setState] = useState<ImportStep>({ step: 'choose' });
  const [mapping, setMapping] = useState<ColumnMapping>({});
  const [usedRemembered, setUsedRemembered] = useState(false);
  const [orderTime, setOrderTime] = useState<OrderTimeRule>('same');
  const c = t.import;
  const role = useRole();
  const options = (chosen: File, mode: ImportMode, dryRun: boolean, explicit: ColumnMapping) => ({
    workspace: workspace.name,
    kind,
    file: chosen,
    mode,
    dryRun,
    mapping: explicit,
    ...(kind === 'orders' ? { orderTime } : {}),
  });
  const failed = (error: unknown, report?: ImportReport): ImportStep => ({
    step: 'failed',
    error: error instanceof Error ? error : new Error(String(error)),
    ...(report ? { report } : {}),
  });

  /** A dry run; a first one without a mapping, then again with the remembered choices for this file's columns, if any. */
  async function preview(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setState({ step: 'checking' });
    try {
      let outcome = await runImport(options(file, 'all-or-nothing', true, {}));
      const remembered = mappingForFile(rememberedMapping(workspace.name, kind), outcome.report);
      const useRemembered = Object.keys(remembered).length > 0;
      if (useRemembered) outcome = await runImport(options(file, 'all-or-nothing', true, remembered));
      setMapping(useRemembered ? remembered : {});
      setUsedRemembered(useRemembered);
      setState({ step: 'previewed', report: outcome.report });
    } catch (error) {
      setState(failed(error));
    }
  }

  async function applyMapping(chosen: ColumnMapping) {
    if (!file) return;
    const explicit = { ...mapping, ...chosen };
    rememberMapping(workspace.name, kind, chosen);
    setState({ step: 'checking' });
    try {
      const outcome = await runImport(options(file, 'all-or-nothing', true, explicit));
      setMapping(explicit);
      setState({ step: 'previewed', report: outcome.report });
    } catch (error) {
      setState(failed(error));
    }
  }

  async function store(report: ImportReport, mode: ImportMode) {
    if (!file) return;
    setState({ step: 'importing', report });
    try {
      const outcome = await runImport(options(file, mode, false, mapping));
      setState({ step: outcome.stored ? 'stored' : 'rejected', report: outcome.report });
    } catch (error) {
      setState(failed(error, report));
    }
  }

  function forget() {
    forgetMapping(workspace.name, kind);
    setUsedRemembered(false);
  }

  function startOver() {
    setFile(undefined);
    setInputKey((k) => k + 1);
    setMapping({});
    setState({ step: 'choose' });
  }

  const busy = state.step === 'checking' || state.step === 'importing';
  const report = 'report' in state ? state.report : undefined;
  const canStore = state.step === 'previewed' || state.step === 'rejected';
  if (!canWrite(role)) {
    return (
      <>
        <h1>{c.title}</h1>
        <div className="alert alert-info" role="status">
          {c.notAllowed}
        </div>
      </>
    );
  }
  return (
    <>
      <h1>{c.title}</h1>
      <p className="muted">{c.lead}</p>
      <form className="card import-form" onSubmit={(event) => void preview(event)}>
        <label className="field">
          <span>{c.kind}</span>
          <select
            value={kind}
            disabled={busy}
            onChange={(e) => {
              setKind(IMPORT_KINDS.find((k) => k === e.target.value) ?? 'orders');
              setState({ step: 'choose' });
            }}
          >
            {IMPORT_KINDS.map((k) => (
              <option key={k} value={k}>
                {c.kinds[k]}
              </option>
            ))}
          </select>
        </label>
        {kind === 'orders' && (
          <label className="field">
            <span>{c.mappingStep.orderTime}</span>
            <select
              value={orderTime}
              disabled={busy}
              onChange={(e) => {
                setOrderTime(e.target.value === 'earliest' ? 'earliest' : 'same');
                setState({ step: 'choose' });
              }}
            >
              <option value="same">{c.mappingStep.orderTimes.same}</option>
              <option value="earliest">{c.mappingStep.orderTimes.earliest}</option>
            </select>
          </label>
        )}
        <label className="field">
          <span>{c.file}</span>
          <input
            key={inputKey}
            type="file"
            accept=".csv,.txt,text/csv"
            disabled={busy}
            onChange={(e) => {
              setFile(e.target.files?.[0]);
              setState({ step: 'choose' });
            }}
          />
        </label>
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={!file || busy}>
            {state.step === 'checking' ? c.previewing : c.preview}
          </button>
          {state.step !== 'choose' && (
            <button type="button" className="button button-quiet" disabled={busy} onClick={startOver}>
              {c.chooseAnother}
            </button>
          )}
        </div>
      </form>

      <div aria-live="polite">
        {state.step === 'previewed' && <p className="alert alert-info">{c.dryRunNote}</p>}
        {state.step === 'previewed' && usedRemembered && (
          <p className="status" role="status">
            {c.mappingStep.remembered}{' '}
            <button type="button" className="button button-quiet" onClick={forget}>
              {c.mappingStep.forget}
            </button>
          </p>
        )}
        {state.step === 'importing' && (
          <p className="status" role="status">
            {c.importing}
          </p>
        )}
        {state.step === 'stored' && (
          <p className="alert alert-ok" role="status">
            {c.stored(format.integer(state.report.valid))}
          </p>
        )}
        {state.step === 'rejected' && (
          <p className="alert alert-error" role="alert">
            {c.rejected}
          </p>
        )}
      </div>
      {state.step === 'failed' && <Failure error={state.error} />}

      {report && state.step === 'previewed' && (
        <ColumnMappingStep
          key={JSON.stringify([report.columns, mapping])}
          report={report}
          explicit={mapping}
          busy={busy}
          onApply={(chosen) => void applyMapping(chosen)}
        />
      )}
      {report && canStore && (
        <div className="actions import-actions">
          {state.step === 'previewed' && report.valid > 0 && (
            <button type="button" className="button button-primary" onClick={() => void store(report, 'all-or-nothing')}>
              {c.importAll}
            </button>
          )}
          {report.invalid > 0 && report.valid > 0 && (
            <button type="button" className="button" onClick={() => void store(report, 'skip-invalid')}>
              {c.importValidOnly}
            </button>
          )}
          {report.valid === 0 && <span className="muted">{c.allInvalid}</span>}
        </div>
      )}
      {report && <ImportReportView report={report} title={state.step === 'stored' || state.step === 'rejected' ? c.resultTitle : c.reportTitle} />}
    </>
  );
}
