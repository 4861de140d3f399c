// Audit records (issue 13, item 6): the API's filters (AuditFilter: time range, resource type, name
// and id, operation, status, user), kept in the URL so a filtered view can be shared (never a
// token: see session.tsx); newest first, paged with Relay cursors; new records arrive live
// (auditRecorded) on the first page when they match the filters. `path` must be empty.
import { useMemo, useState, type FormEvent } from 'react';
import { useRequest, useSubscription } from '../hooks';
import { useFormatTime, useT, type Messages } from '../i18n';
import { navigate, useSearch } from '../router';
import { AuditRecordedDocument, AuditRecordsDocument, type AuditFilter, type AuditRecordsQuery } from '../sdk';
import { NotFound } from '../components/not-found';
import { LoadState } from '../components/load-state';

const MESSAGES: Messages = {
  en: {
    'audit.title': 'Audit records',
    'audit.filters': 'Filters',
    'audit.from': 'From',
    'audit.to': 'To',
    'audit.resourceType': 'Resource type',
    'audit.resourceName': 'Resource name',
    'audit.resourceId': 'Resource id',
    'audit.traceName': 'Operation',
    'audit.traceStatus': 'Status',
    'audit.user': 'User',
    'audit.any': 'Any',
    'audit.apply': 'Apply',
    'audit.clear': 'Clear',
    'audit.time': 'Time',
    'audit.resource': 'Resource',
    'audit.code': 'Code',
    'audit.message': 'Message',
    'audit.source': 'Source',
    'audit.tenant': 'Tenant',
    'audit.request': 'Request (secrets masked)',
    'audit.empty': 'No records match.',
    'audit.newer': 'Newer',
    'audit.older': 'Older',
    'audit.live': 'New records appear here as they are written.',
    'trace.normal': 'normal',
    'trace.warning': 'warning',
    'trace.incident': 'incident',
  },
  'zh-CN': {
    'audit.title': '审计记录',
    'audit.filters': '筛选',
    'audit.from': '开始时间',
    'audit.to': '结束时间',
    'audit.resourceType': '资源类型',
    'audit.resourceName': '资源名称',
    'audit.resourceId': '资源 ID',
    'audit.traceName': '操作',
    'audit.traceStatus': '状态',
    'audit.user': '用户',
    'audit.any': '全部',
    'audit.apply': '应用',
    'audit.clear': '清除',
    'audit.time': '时间',
    'audit.resource': '资源',
    'audit.code': '代码',
    'audit.message': '消息',
    'audit.source': '来源',
    'audit.tenant': '租户',
    'audit.request': '请求（机密已遮盖）',
    'audit.empty': '没有匹配的记录。',
    'audit.newer': '较新',
    'audit.older': '较旧',
    'audit.live': '新记录写入后会出现在这里。',
    'trace.normal': '正常',
    'trace.warning': '警告',
    'trace.incident': '事故',
  },
};

const PAGE = 50;
/** The audited operations and resource types (schema/types/*.ts, `audited({ traceName, resourceType })`). */
const TRACE_NAMES = ['CloneStack', 'CreateStack', 'CreateTemplate', 'CreateToken', 'DeleteCluster', 'DeleteStack', 'DeleteTemplate', 'DeleteUser', 'ExecuteStackAction', 'ExportStackInputs', 'PreviewStack', 'RegisterCluster', 'RevokeToken', 'UpdateStack', 'UpdateTemplate', 'UpdateTenantState'];
const RESOURCE_TYPES = ['stack', 'template', 'cluster', 'tenant', 'user', 'token'];
const TRACE_STATUSES = ['normal', 'warning', 'incident'];
const TEXT_FIELDS = ['resourceType', 'resourceName', 'resourceId', 'traceName', 'traceStatus', 'user'] as const;

type AuditRecord = AuditRecordsQuery['auditRecords']['edges'][number]['node'];

/** `datetime-local` text (the user's clock) ↔ the API's ISO instant. */
function toIso(local: string): string | null {
  if (!local) return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function toLocal(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function filterOf(search: URLSearchParams): AuditFilter {
  const filter: AuditFilter = {};
  for (const name of TEXT_FIELDS) {
    const value = search.get(name);
    if (value) filter[name] = value;
  }
  const from = search.get('from');
  const to = search.get('to');
  if (from) filter.from = from;
  if (to) filter.to = to;
  return filter;
}

/** Whether a live record belongs in the filtered view (the API's filters are exact matches). */
function matches(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.traceName && record.traceName !== filter.traceName) return false;
  if (filter.traceStatus && record.traceStatus !== filter.traceStatus) return false;
  if (filter.resourceType && record.resourceType !== filter.resourceType) return false;
  if (filter.resourceName && record.resourceName !== filter.resourceName) return false;
  if (filter.resourceId && record.resourceId !== filter.resourceId) return false;
  if (filter.user && record.user !== filter.user) return false;
  if (filter.from && record.time < filter.from) return false;
  if (filter.to && record.time > filter.to) return false;
  return true;
}

function Filters({ filter }: { filter: AuditFilter }) {
  const t = useT(MESSAGES);
  const [form, setForm] = useState(() => ({
    from: toLocal(filter.from ?? null),
    to: toLocal(filter.to ?? null),
    resourceType: filter.resourceType ?? '',
    resourceName: filter.resourceName ?? '',
    resourceId: filter.resourceId ?? '',
    traceName: filter.traceName ?? '',
    traceStatus: filter.traceStatus ?? '',
    user: filter.user ?? '',
  }));
  const set = (name: keyof typeof form) => (event: { target: { value: string } }) => setForm((current) => ({ ...current, [name]: event.target.value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of TEXT_FIELDS) if (form[name].trim()) params.set(name, form[name].trim());
    const from = toIso(form.from);
    const to = toIso(form.to);
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    const query = params.toString();
    navigate(query ? `/audit?${query}` : '/audit');
  };
  const clear = () => {
    setForm({ from: '', to: '', resourceType: '', resourceName: '', resourceId: '', traceName: '', traceStatus: '', user: '' });
    navigate('/audit');
  };
  return (
    <form className="filters" onSubmit={apply} aria-label={t('audit.filters')}>
      <label>
        {t('audit.from')}
        <input type="datetime-local" value={form.from} onChange={set('from')} />
      </label>
      <label>
        {t('audit.to')}
        <input type="datetime-local" value={form.to} onChange={set('to')} />
      </label>
      <label>
        {t('audit.resourceType')}
        <select value={form.resourceType} onChange={set('resourceType')}>
          <option value="">{t('audit.any')}</option>
          {RESOURCE_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('audit.resourceName')}
        <input value={form.resourceName} onChange={set('resourceName')} />
      </label>
      <label>
        {t('audit.resourceId')}
        <input value={form.resourceId} onChange={set('resourceId')} />
      </label>
      <label>
        {t('audit.traceName')}
        <select value={form.traceName} onChange={set('traceName')}>
          <option value="">{t('audit.any')}</option>
          {TRACE_NAMES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('audit.traceStatus')}
        <select value={form.traceStatus} onChange={set('traceStatus')}>
          <option value="">{t('audit.any')}</option>
          {TRACE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`trace.${status}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('audit.user')}
        <input value={form.user} onChange={set('user')} />
      </label>
      <span className="button-row">
        <button type="submit">{t('audit.apply')}</button>
        <button type="button" className="secondary" onClick={clear}>
          {t('audit.clear')}
        </button>
      </span>
    </form>
  );
}

function Records({ filter, filterKey }: { filter: AuditFilter; filterKey: string }) {
  const t = useT(MESSAGES);
  const formatTime = useFormatTime();
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1] ?? null;
  const list = useRequest(AuditRecordsDocument, { first: PAGE, after, filter });
  const [live, setLive] = useState<AuditRecord[]>([]);
  useSubscription(AuditRecordedDocument, {}, (data) => {
    if (matches(data.auditRecorded, filter)) setLive((current) => [data.auditRecorded, ...current].slice(0, PAGE));
  }, filterKey);

  const rows = useMemo(() => {
    const read = list.data?.auditRecords.edges.map((edge) => edge.node) ?? [];
    if (after !== null) return read;
    const known = new Set(read.map((record) => record.id));
    return [...live.filter((record) => !known.has(record.id)), ...read].sort((a, b) => b.time.localeCompare(a.time));
  }, [list.data, live, after]);
  const pageInfo = list.data?.auditRecords.pageInfo;

  return (
    <>
      <LoadState loaded={list} empty={rows.length === 0 ? t('audit.empty') : null} />
      {after === null ? <p className="help">{t('audit.live')}</p> : null}
      {rows.length > 0 ? (
        <table data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">{t('audit.time')}</th>
              <th scope="col">{t('audit.user')}</th>
              <th scope="col">{t('audit.traceName')}</th>
              <th scope="col">{t('audit.resource')}</th>
              <th scope="col">{t('audit.traceStatus')}</th>
              <th scope="col">{t('audit.code')}</th>
              <th scope="col">{t('audit.message')}</th>
              <th scope="col">{t('audit.source')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((record) => (
              <tr key={record.id} data-trace={record.traceName} data-resource-type={record.resourceType} data-resource-name={record.resourceName ?? ''}>
                <td>
                  <time dateTime={record.time}>{formatTime(record.time)}</time>
                </td>
                <td>
                  {record.user}
                  <span className="muted"> · {record.tenant}</span>
                </td>
                <td>{record.traceName}</td>
                <td>
                  {record.resourceType}
                  {record.resourceName ? ` ${record.resourceName}` : ''}
                  {record.resourceId ? <div className="muted mono">{record.resourceId}</div> : null}
                </td>
                <td>
                  <span className={`badge trace-${record.traceStatus}`}>{t(`trace.${record.traceStatus}`)}</span>
                </td>
                <td>{record.code}</td>
                <td>
                  {record.message}
                  {record.request !== null && record.request !== undefined ? (
                    <details>
                      <summary>{t('audit.request')}</summary>
                      <pre>{JSON.stringify(record.request, null, 2)}</pre>
                    </details>
                  ) : null}
                </td>
                <td>{record.sourceIp ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="button-row">
        {cursors.length > 0 ? (
          <button type="button" className="secondary" onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t('audit.newer')}
          </button>
        ) : null}
        {pageInfo?.hasNextPage && pageInfo.endCursor ? (
          <button type="button" className="secondary" onClick={() => setCursors((c) => [...c, pageInfo.endCursor ?? ''])}>
            {t('audit.older')}
          </button>
        ) : null}
      </div>
    </>
  );
}

export default function AuditPage({ path }: { path: string[] }) {
  const t = useT(MESSAGES);
  const search = useSearch();
  const filterKey = search.toString();
  const filter = useMemo(() => filterOf(new URLSearchParams(filterKey)), [filterKey]);
  if (path.length > 0) return <NotFound />;
  return (
    <section className="audit-page">
      <h1>{t('audit.title')}</h1>
      {/* Keyed by the filter: a new filter starts on the first page with its own live list. */}
      <Filters key={`f-${filterKey}`} filter={filter} />
      <Records key={`r-${filterKey}`} filter={filter} filterKey={filterKey} />
    </section>
  );
}
