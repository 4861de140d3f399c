// The platform administrator's page (issue 13, item 6): every tenant with its state, its quotas
// with their use (setQuota), and freeze/unfreeze (setTenantState). The shell routes here only for
// the platform administrator; the API checks every request again. `path` must be empty.
import { useId, useState, type FormEvent } from 'react';
import { useRequest } from '../hooks';
import { useT, type Messages, type Translate } from '../i18n';
import { SetQuotaDocument, SetTenantStateDocument, TenantQuotasDocument, type TenantQuotasQuery } from '../sdk';
import { useSession } from '../session';
import { NotFound } from '../components/not-found';
import { LoadState } from '../components/load-state';

const MESSAGES: Messages = {
  en: {
    'admin.title': 'Tenants',
    'admin.tenant': 'Tenant',
    'admin.state': 'State',
    'admin.templates': 'Templates (used / limit)',
    'admin.stacks': 'Stacks (used / limit)',
    'admin.quota': 'Quota',
    'admin.actions': 'Freeze',
    'admin.templateLimit': 'Template limit of {name}',
    'admin.stackLimit': 'Stack limit of {name}',
    'admin.setQuota': 'Set quota of {name}',
    'admin.freeze': 'Freeze {name}',
    'admin.unfreeze': 'Unfreeze {name}',
    'admin.frozenHelp': 'A frozen tenant is read only: nothing can be created, changed or deleted.',
    'admin.quotaSet': 'Quota of {name} set.',
    'admin.stateSet': '{name} is now {state}.',
    'admin.ACTIVE': 'active',
    'admin.FROZEN': 'frozen',
    'admin.used': '{used} / {limit}',
  },
  'zh-CN': {
    'admin.title': '租户',
    'admin.tenant': '租户',
    'admin.state': '状态',
    'admin.templates': '模板（已用 / 上限）',
    'admin.stacks': '堆栈（已用 / 上限）',
    'admin.quota': '配额',
    'admin.actions': '冻结',
    'admin.templateLimit': '{name} 的模板上限',
    'admin.stackLimit': '{name} 的堆栈上限',
    'admin.setQuota': '设置 {name} 的配额',
    'admin.freeze': '冻结 {name}',
    'admin.unfreeze': '解冻 {name}',
    'admin.frozenHelp': '被冻结的租户只读：不能创建、修改或删除任何内容。',
    'admin.quotaSet': '已设置 {name} 的配额。',
    'admin.stateSet': '{name} 现在为{state}。',
    'admin.ACTIVE': '活动',
    'admin.FROZEN': '已冻结',
    'admin.used': '{used} / {limit}',
  },
};

type Tenant = TenantQuotasQuery['tenants'][number];

function TenantRow({ tenant, t, onDone }: { tenant: Tenant; t: Translate; onDone: (note: { error: boolean; text: string }) => void }) {
  const { client } = useSession();
  const id = useId();
  const [templates, setTemplates] = useState(String(tenant.quota?.templates ?? ''));
  const [stacks, setStacks] = useState(String(tenant.quota?.stacks ?? ''));
  const [busy, setBusy] = useState(false);
  const whole = (text: string) => /^\d+$/.test(text.trim());

  const saveQuota = async (event: FormEvent) => {
    event.preventDefault();
    if (!whole(templates) || !whole(stacks)) return;
    setBusy(true);
    try {
      const { setQuota: outcome } = await client.request(SetQuotaDocument, { input: { tenantId: tenant.id, templates: Number(templates), stacks: Number(stacks) } });
      onDone(outcome.__typename === 'SetQuotaSuccess' ? { error: false, text: t('admin.quotaSet', { name: tenant.name }) } : { error: true, text: outcome.message });
    } catch (error) {
      onDone({ error: true, text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  const setState = async () => {
    const state = tenant.state === 'FROZEN' ? 'ACTIVE' : 'FROZEN';
    setBusy(true);
    try {
      const { setTenantState: outcome } = await client.request(SetTenantStateDocument, { input: { tenantId: tenant.id, state } });
      onDone(outcome.__typename === 'SetTenantStateSuccess' ? { error: false, text: t('admin.stateSet', { name: tenant.name, state: t(`admin.${state}`) }) } : { error: true, text: outcome.message });
    } catch (error) {
      onDone({ error: true, text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr data-tenant={tenant.name} data-state={tenant.state}>
      <th scope="row">{tenant.name}</th>
      <td>
        <span className={`badge ${tenant.state === 'FROZEN' ? 'status-STOPPED' : 'status-NORMAL'}`}>{t(`admin.${tenant.state}`)}</span>
      </td>
      <td data-testid="templates-used">{tenant.quota ? t('admin.used', { used: tenant.quota.templatesUsed, limit: tenant.quota.templates }) : '—'}</td>
      <td data-testid="stacks-used">{tenant.quota ? t('admin.used', { used: tenant.quota.stacksUsed, limit: tenant.quota.stacks }) : '—'}</td>
      <td>
        <form className="button-row quota-form" onSubmit={(event) => void saveQuota(event)} aria-label={t('admin.setQuota', { name: tenant.name })}>
          <label htmlFor={`${id}-templates`} className="visually-hidden">
            {t('admin.templateLimit', { name: tenant.name })}
          </label>
          <input id={`${id}-templates`} inputMode="numeric" size={6} value={templates} onChange={(event) => setTemplates(event.target.value)} aria-invalid={whole(templates) ? undefined : true} />
          <label htmlFor={`${id}-stacks`} className="visually-hidden">
            {t('admin.stackLimit', { name: tenant.name })}
          </label>
          <input id={`${id}-stacks`} inputMode="numeric" size={6} value={stacks} onChange={(event) => setStacks(event.target.value)} aria-invalid={whole(stacks) ? undefined : true} />
          <button type="submit" className="secondary" disabled={busy || !whole(templates) || !whole(stacks)} aria-label={t('admin.setQuota', { name: tenant.name })}>
            {t('admin.quota')}
          </button>
        </form>
      </td>
      <td>
        <button type="button" className={tenant.state === 'FROZEN' ? 'secondary' : 'danger'} disabled={busy} onClick={() => void setState()}>
          {tenant.state === 'FROZEN' ? t('admin.unfreeze', { name: tenant.name }) : t('admin.freeze', { name: tenant.name })}
        </button>
      </td>
    </tr>
  );
}

export default function AdminPage({ path }: { path: string[] }) {
  const t = useT(MESSAGES);
  const list = useRequest(TenantQuotasDocument, {});
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  if (path.length > 0) return <NotFound />;
  const done = (next: { error: boolean; text: string }) => {
    setNote(next);
    list.reload();
  };
  const tenants = list.data?.tenants ?? [];
  return (
    <section className="admin-page">
      <h1>{t('admin.title')}</h1>
      <p className="help">{t('admin.frozenHelp')}</p>
      <LoadState loaded={list} />
      {note ? (
        <p role={note.error ? 'alert' : 'status'} className={note.error ? 'error' : undefined} data-testid="admin-note">
          {note.text}
        </p>
      ) : null}
      {tenants.length > 0 ? (
        <table data-testid="tenants-table">
          <thead>
            <tr>
              <th scope="col">{t('admin.tenant')}</th>
              <th scope="col">{t('admin.state')}</th>
              <th scope="col">{t('admin.templates')}</th>
              <th scope="col">{t('admin.stacks')}</th>
              <th scope="col">{t('admin.quota')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {tenants.map((tenant) => (
              // Keyed by the quota too: after a reload the inputs start from the stored values.
              <TenantRow key={`${tenant.id}-${tenant.quota?.templates}-${tenant.quota?.stacks}`} tenant={tenant} t={t} onDone={done} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
