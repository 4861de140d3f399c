// The buttons of a stack: exactly its allowedActions, and only for a role that may change it
// (roles.ts); update with a plan preview, delete and force delete asking for the stack's name,
// clone to another cluster or namespace. The server checks all of it again.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Translate } from '../i18n';
import { canChange, offeredStackActions } from '../roles';
import { navigate } from '../router';
import {
  CancelStackActionDocument,
  CloneStackDocument,
  ClustersDocument,
  DeleteStackDocument,
  ExecuteStackActionDocument,
  PreviewStackUpdateDocument,
  TemplateDocument,
  UpdateStackDocument,
  type StackActionKind,
  type StackQuery,
} from '../sdk';
import { useSession } from '../session';
import { useRequest } from '../hooks';
import { Dialog } from './dialog';
import { requestToken } from '../request-token';

type Stack = NonNullable<StackQuery['stack']>;

/** What a typed error says, for people: its name and message (problems listed for a ValidationError). */
function failureText(result: { __typename?: string; message?: string; problems?: { path: string; message: string }[] }): string {
  const problems = result.problems?.map((p) => `${p.path}: ${p.message}`).join('; ');
  return `${result.__typename ?? 'Error'}: ${result.message ?? ''}${problems ? ` (${problems})` : ''}`;
}

const EXECUTED: readonly string[] = ['START', 'STOP', 'INSTALL', 'RETRY', 'ROLLBACK'];

/**
 * One request at a time from a button or a dialog: busy while it runs, and the failure it ended
 * with. `work` answers the typed error's text, or null when it succeeded; a thrown error (the API
 * unreachable, a masked failure) is shown by its message.
 */
function useSubmission() {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (work: () => Promise<string | null>): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      setProblem(await work());
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return { problem, busy, submit };
}

export function StackActions({ stack, t, onChanged }: { stack: Stack; t: Translate; onChanged: () => void }) {
  const { client, viewer } = useSession();
  const [dialog, setDialog] = useState<null | 'UPDATE' | 'DELETE' | 'FORCE_DELETE' | 'CLONE'>(null);
  const { problem: message, busy, submit } = useSubmission();
  const offered = offeredStackActions(viewer, stack.allowedActions);
  const cloneable = canChange(viewer) && stack.status !== 'DELETED';
  if (offered.length === 0 && !cloneable) return null;

  const run = async (action: string) => {
    await submit(async () => {
      if (action === 'CANCEL') {
        const { cancelStackAction: result } = await client.request(CancelStackActionDocument, { input: { stackId: stack.id } });
        return result.__typename === 'CancelStackActionSuccess' ? null : failureText(result);
      }
      const { executeStackAction: result } = await client.request(ExecuteStackActionDocument, { input: { stackId: stack.id, action: action as StackActionKind, clientRequestToken: requestToken() } });
      return result.__typename === 'ExecuteStackActionSuccess' ? null : failureText(result);
    });
    onChanged();
  };

  return (
    <div className="stack-actions" data-testid="stack-actions">
      {offered.map((action) =>
        EXECUTED.includes(action) || action === 'CANCEL' ? (
          <button key={action} type="button" disabled={busy} data-action={action} onClick={() => void run(action)}>
            {t(`action.${action}`)}
          </button>
        ) : action === 'UPDATE' || action === 'DELETE' || action === 'FORCE_DELETE' ? (
          <button key={action} type="button" className={action === 'UPDATE' ? '' : 'danger'} disabled={busy} data-action={action} onClick={() => setDialog(action)}>
            {t(`action.${action}`)}
          </button>
        ) : null,
      )}
      {cloneable ? (
        <button type="button" className="secondary" data-action="CLONE" onClick={() => setDialog('CLONE')}>
          {t('action.CLONE')}
        </button>
      ) : null}
      {message ? (
        <p role="alert" className="error">
          {message}
        </p>
      ) : null}
      {dialog === 'UPDATE' ? <UpdateDialog stack={stack} t={t} onClose={() => setDialog(null)} onDone={onChanged} /> : null}
      {dialog === 'DELETE' || dialog === 'FORCE_DELETE' ? <DeleteDialog stack={stack} force={dialog === 'FORCE_DELETE'} t={t} onClose={() => setDialog(null)} onDone={onChanged} /> : null}
      {dialog === 'CLONE' ? <CloneDialog stack={stack} t={t} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}

function Problem({ children }: { children: ReactNode }) {
  return children ? (
    <p role="alert" className="error">
      {children}
    </p>
  ) : null;
}

/** The value typed for an input, in the type its current value has (numbers stay numbers). */
function typedLike(current: unknown, text: string): unknown {
  if (typeof current === 'number' && text.trim() !== '' && !Number.isNaN(Number(text))) return Number(text);
  if (typeof current === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  if (current !== null && typeof current === 'object') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

type Plan = Extract<NonNullable<Awaited<ReturnType<typeof previewUpdate>>>, { __typename: 'PreviewStackUpdateSuccess' }>['plan'];

async function previewUpdate(client: ReturnType<typeof useSession>['client'], input: { stackId: string; inputs?: Record<string, unknown>; templateVersion?: string }) {
  return (await client.request(PreviewStackUpdateDocument, { input })).previewStackUpdate;
}

function UpdateDialog({ stack, t, onClose, onDone }: { stack: Stack; t: Translate; onClose: () => void; onDone: () => void }) {
  const { client } = useSession();
  const template = useRequest(TemplateDocument, { id: stack.template.id });
  const [version, setVersion] = useState(stack.templateVersion.version);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(stack.inputs.map((input) => [input.name, shown(input.value)])));
  const [plan, setPlan] = useState<Plan | null>(null);
  const { problem, busy, submit } = useSubmission();

  const input = () => {
    const changed: Record<string, unknown> = {};
    for (const current of stack.inputs) {
      if (values[current.name] !== shown(current.value)) changed[current.name] = typedLike(current.value, values[current.name]);
    }
    return { stackId: stack.id, ...(Object.keys(changed).length ? { inputs: changed } : {}), ...(version !== stack.templateVersion.version ? { templateVersion: version } : {}) };
  };

  const preview = async (event: FormEvent) => {
    event.preventDefault();
    await submit(async () => {
      const result = await previewUpdate(client, input());
      if (result.__typename !== 'PreviewStackUpdateSuccess') return failureText(result);
      setPlan(result.plan);
      return null;
    });
  };

  const confirm = () =>
    submit(async () => {
      const { updateStack: result } = await client.request(UpdateStackDocument, { input: { ...input(), clientRequestToken: requestToken() } });
      if (result.__typename !== 'UpdateStackSuccess') return failureText(result);
      onDone();
      onClose();
      return null;
    });

  return (
    <Dialog title={t('update.title', { name: stack.name })} onClose={onClose} testId="update-dialog">
      <form onSubmit={(event) => void preview(event)} onChange={() => setPlan(null)}>
        <label>
          {t('update.version')}{' '}
          <select value={version} onChange={(event) => setVersion(event.target.value)}>
            {(template.data?.template?.versions ?? [stack.templateVersion]).map((v) => (
              <option key={v.id} value={v.version}>
                {v.version}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('stack.inputs')}</legend>
          {stack.inputs.map((current) => (
            <label key={current.name} className="input-row">
              <span>{current.name}</span>
              <input name={current.name} value={values[current.name] ?? ''} onChange={(event) => setValues((v) => ({ ...v, [current.name]: event.target.value }))} type={current.value === '******' ? 'password' : 'text'} />
            </label>
          ))}
        </fieldset>
        <Problem>{problem}</Problem>
        {plan ? (
          <table className="plan" data-testid="update-plan">
            <caption>{t('update.plan')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('update.change')}</th>
                <th scope="col">{t('update.element')}</th>
                <th scope="col">{t('update.type')}</th>
                <th scope="col">{t('update.changed')}</th>
              </tr>
            </thead>
            <tbody>
              {plan.steps.map((step) => (
                <tr key={step.element} data-change={step.change} data-element={step.element}>
                  <td>
                    <span className={`badge change-${step.change}`}>{step.change}</span>
                  </td>
                  <th scope="row">{step.element}</th>
                  <td>{step.type}</td>
                  <td>{step.change === 'ADD' || step.change === 'NO_CHANGE' ? '' : step.changedProperties.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" className="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="secondary" disabled={busy}>
            {t('update.preview')}
          </button>
          <button type="button" disabled={busy || !plan} onClick={() => void confirm()} data-testid="confirm-update">
            {t('update.confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ stack, force, t, onClose, onDone }: { stack: Stack; force: boolean; t: Translate; onClose: () => void; onDone: () => void }) {
  const { client } = useSession();
  const [typed, setTyped] = useState('');
  const { problem, busy, submit } = useSubmission();
  const remove = async (event: FormEvent) => {
    event.preventDefault();
    if (typed !== stack.name) return;
    await submit(async () => {
      const { deleteStack: result } = await client.request(DeleteStackDocument, { input: { stackId: stack.id, force } });
      if (result.__typename !== 'DeleteStackSuccess') return failureText(result);
      onDone();
      onClose();
      return null;
    });
  };
  return (
    <Dialog title={t(force ? 'delete.forceTitle' : 'delete.title', { name: stack.name })} onClose={onClose} testId="delete-dialog">
      <form onSubmit={(event) => void remove(event)}>
        <p>{t(force ? 'delete.forceText' : 'delete.text')}</p>
        <label>
          {t('delete.typeName', { name: stack.name })}
          <input value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" data-testid="delete-name" />
        </label>
        <Problem>{problem}</Problem>
        <div className="dialog-buttons">
          <button type="button" className="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="danger" disabled={busy || typed !== stack.name} data-testid="confirm-delete">
            {t(force ? 'action.FORCE_DELETE' : 'action.DELETE')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function CloneDialog({ stack, t, onClose }: { stack: Stack; t: Translate; onClose: () => void }) {
  const { client } = useSession();
  const clusters = useRequest(ClustersDocument, {});
  const [name, setName] = useState(`${stack.name}-copy`);
  const [clusterId, setClusterId] = useState(stack.cluster?.id ?? '');
  const [namespace, setNamespace] = useState(stack.namespace ?? '');
  const [deploy, setDeploy] = useState(true);
  const { problem, busy, submit } = useSubmission();
  const clone = async (event: FormEvent) => {
    event.preventDefault();
    await submit(async () => {
      const { cloneStack: result } = await client.request(CloneStackDocument, {
        input: { stackId: stack.id, name, ...(clusterId ? { clusterId } : {}), ...(namespace ? { namespace } : {}), deploy, clientRequestToken: requestToken() },
      });
      if (result.__typename !== 'CloneStackSuccess') return failureText(result);
      onClose();
      navigate(`/stacks/${result.stack.id}`);
      return null;
    });
  };
  return (
    <Dialog title={t('clone.title', { name: stack.name })} onClose={onClose} testId="clone-dialog">
      <form onSubmit={(event) => void clone(event)} className="form-grid">
        <label>
          {t('clone.name')}
          <input value={name} onChange={(event) => setName(event.target.value)} required />
        </label>
        <label>
          {t('clone.cluster')}
          <select value={clusterId} onChange={(event) => setClusterId(event.target.value)}>
            {(clusters.data?.clusters ?? (stack.cluster ? [stack.cluster] : [])).map((cluster) => (
              <option key={cluster.id} value={cluster.id}>
                {cluster.name} ({cluster.kind})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('clone.namespace')}
          <input value={namespace} onChange={(event) => setNamespace(event.target.value)} />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={deploy} onChange={(event) => setDeploy(event.target.checked)} /> {t('clone.deploy')}
        </label>
        <Problem>{problem}</Problem>
        <div className="dialog-buttons">
          <button type="button" className="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" disabled={busy || !name}>
            {t('action.CLONE')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
