// One stack, live: status and action, its topology (elements coloured by status and health, edges
// from dependencies; click for properties, attributes, health), events newest first, outputs (copy;
// a URL or a NodePort links to the page), inputs (masked by the API), alarms, and the actions its
// allowedActions and the user's role permit. Unknown ids and other tenants' stacks: "not found".
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { NotFound } from '../components/not-found';
import { StackActions } from '../components/stack-actions';
import { StackEvents } from '../components/stack-events';
import { HealthBadge, StatusBadge } from '../components/status';
import { useSubscription } from '../hooks';
import { actionLabel, elementStatusLabel, statusLabel, useFormatTime, useT, type Messages, type Translate } from '../i18n';
import { Link } from '../router';
import { AosRequestError, StackChangedDocument, StackDocument, type StackQuery } from '../sdk';
import { useSession } from '../session';

const loadTopology = () => import('../components/topology');
const Topology = lazy(loadTopology);

type Stack = NonNullable<StackQuery['stack']>;
type Element = Stack['elements'][number];

const MESSAGES: Messages = {
  en: {
    'stack.topology': 'Topology',
    'stack.elements': 'Elements',
    'stack.events': 'Events',
    'stack.newEvents': '{count} new events — show',
    'stack.outputs': 'Outputs',
    'stack.inputs': 'Inputs',
    'stack.alarms': 'Alarms',
    'stack.noAlarms': 'No alarms.',
    'stack.name': 'Name',
    'stack.value': 'Value',
    'stack.description': 'Description',
    'stack.type': 'Type',
    'stack.status': 'Status',
    'stack.health': 'Health',
    'stack.reason': 'Reason',
    'stack.element': 'Element',
    'stack.raised': 'Raised',
    'stack.cleared': 'Cleared',
    'stack.open': 'open',
    'stack.template': 'Template',
    'stack.cluster': 'Cluster',
    'stack.revision': 'Revision',
    'stack.settings': 'Settings',
    'stack.timeout': 'timeout {minutes} min, auto rollback {rollback}',
    'stack.on': 'on',
    'stack.off': 'off',
    'stack.action': 'Action',
    'stack.properties': 'Properties',
    'stack.attributes': 'Attributes',
    'stack.dependsOn': 'Depends on',
    'stack.physicalId': 'Physical id',
    'stack.openPage': 'open the page',
    'stack.select': 'Select an element in the topology or the list to see its details.',
    'stack.progress': '{done} of {total} elements',
    'action.START': 'Start',
    'action.STOP': 'Stop',
    'action.INSTALL': 'Install',
    'action.RETRY': 'Retry',
    'action.ROLLBACK': 'Roll back',
    'action.CANCEL': 'Cancel action',
    'action.UPDATE': 'Update',
    'action.DELETE': 'Delete',
    'action.FORCE_DELETE': 'Force delete',
    'action.CLONE': 'Clone',
    'update.title': 'Update {name}',
    'update.version': 'Template version',
    'update.preview': 'Preview',
    'update.plan': 'What the update will do',
    'update.change': 'Change',
    'update.element': 'Element',
    'update.type': 'Type',
    'update.changed': 'Changed properties',
    'update.confirm': 'Confirm update',
    'delete.title': 'Delete {name}',
    'delete.forceTitle': 'Force delete {name}',
    'delete.text': 'Its resources are removed; events and audit records stay.',
    'delete.forceText': 'The record goes even if resources cannot be removed (they are listed in an event).',
    'delete.typeName': 'Type the stack’s name, {name}, to confirm',
    'clone.title': 'Clone {name}',
    'clone.name': 'Name of the copy',
    'clone.cluster': 'Cluster',
    'clone.namespace': 'Namespace',
    'clone.deploy': 'Deploy at once',
  },
  'zh-CN': {
    'stack.topology': '拓扑',
    'stack.elements': '元素',
    'stack.events': '事件',
    'stack.newEvents': '{count} 条新事件 — 查看',
    'stack.outputs': '输出',
    'stack.inputs': '输入',
    'stack.alarms': '告警',
    'stack.noAlarms': '没有告警。',
    'stack.name': '名称',
    'stack.value': '值',
    'stack.description': '描述',
    'stack.type': '类型',
    'stack.status': '状态',
    'stack.health': '健康',
    'stack.reason': '原因',
    'stack.element': '元素',
    'stack.raised': '产生时间',
    'stack.cleared': '清除时间',
    'stack.open': '未清除',
    'stack.template': '模板',
    'stack.cluster': '集群',
    'stack.revision': '版本',
    'stack.settings': '设置',
    'stack.timeout': '超时 {minutes} 分钟，自动回滚 {rollback}',
    'stack.on': '开',
    'stack.off': '关',
    'stack.action': '操作',
    'stack.properties': '属性',
    'stack.attributes': '运行属性',
    'stack.dependsOn': '依赖',
    'stack.physicalId': '物理 ID',
    'stack.openPage': '打开页面',
    'stack.select': '在拓扑或列表中选择一个元素查看详情。',
    'stack.progress': '{done} / {total} 个元素',
    'action.START': '启动',
    'action.STOP': '停止',
    'action.INSTALL': '安装',
    'action.RETRY': '重试',
    'action.ROLLBACK': '回滚',
    'action.CANCEL': '取消操作',
    'action.UPDATE': '升级',
    'action.DELETE': '删除',
    'action.FORCE_DELETE': '强制删除',
    'action.CLONE': '克隆',
    'update.title': '升级 {name}',
    'update.version': '模板版本',
    'update.preview': '预览',
    'update.plan': '升级将做的变更',
    'update.change': '变更',
    'update.element': '元素',
    'update.type': '类型',
    'update.changed': '变更的属性',
    'update.confirm': '确认升级',
    'delete.title': '删除 {name}',
    'delete.forceTitle': '强制删除 {name}',
    'delete.text': '其资源将被删除；事件和审计记录保留。',
    'delete.forceText': '即使资源无法删除也会删除记录（资源列在事件中）。',
    'delete.typeName': '输入堆栈名称 {name} 以确认',
    'clone.title': '克隆 {name}',
    'clone.name': '副本名称',
    'clone.cluster': '集群',
    'clone.namespace': '命名空间',
    'clone.deploy': '立即部署',
  },
};

/** The link an output's value opens, if any: a URL, or a NodePort's port on the cluster's publish address. */
function outputLink(name: string, value: unknown, stack: Stack): string | null {
  if (typeof value === 'string' && /^https?:\/\/[^\s]+$/i.test(value)) return value;
  const port = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (/node\s*-?port/i.test(name) && Number.isInteger(port) && port > 0 && port < 65536) {
    const host = stack.cluster?.publishAddress || window.location.hostname;
    return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}/`;
  }
  return null;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function CopyButton({ value, t, label }: { value: string; t: Translate; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="secondary small"
      aria-label={`${t('common.copy')} ${label}`}
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}

function ElementDetails({ element, t }: { element: Element; t: Translate }) {
  return (
    <section className="element-details" data-testid="element-details" data-element={element.name} aria-labelledby="element-title">
      <h3 id="element-title">{element.name}</h3>
      <dl>
        <dt>{t('stack.type')}</dt>
        <dd>{element.type}</dd>
        <dt>{t('stack.status')}</dt>
        <dd>{elementStatusLabel(t, element.status)}</dd>
        <dt>{t('stack.health')}</dt>
        <dd>
          <HealthBadge health={element.health} />
        </dd>
        {element.statusReason ? (
          <>
            <dt>{t('stack.reason')}</dt>
            <dd>{element.statusReason}</dd>
          </>
        ) : null}
        <dt>{t('stack.dependsOn')}</dt>
        <dd>{element.dependsOn.join(', ') || '—'}</dd>
        {element.physicalId ? (
          <>
            <dt>{t('stack.physicalId')}</dt>
            <dd className="mono">{element.physicalId}</dd>
          </>
        ) : null}
      </dl>
      <h4>{t('stack.properties')}</h4>
      <pre data-testid="element-properties">{JSON.stringify(element.properties ?? {}, null, 2)}</pre>
      <h4>{t('stack.attributes')}</h4>
      <pre data-testid="element-attributes">{JSON.stringify(element.attributes ?? {}, null, 2)}</pre>
    </section>
  );
}

export default function StackPage({ stackId }: { stackId: string }) {
  const t = useT(MESSAGES);
  const formatTime = useFormatTime();
  const { client } = useSession();
  // undefined: loading; null: not found (unknown id, another tenant's, or not an id at all).
  const [stack, setStack] = useState<Stack | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  // One read at a time; changes during a read ask for one more after it.
  const reading = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });

  const load = useCallback(() => {
    const state = reading.current;
    if (state.busy) {
      state.again = true;
      return;
    }
    state.busy = true;
    client.request(StackDocument, { id: stackId }).then(
      (data) => {
        setStack(data.stack);
        setError(null);
      },
      (failure: unknown) => {
        // An id that is not one (a typed URL) is as unknown as any other.
        if (failure instanceof AosRequestError && failure.errors.some((e) => /not found|NOT_FOUND|BAD_USER_INPUT|invalid/i.test(`${e.message} ${String(e.extensions?.code)}`))) setStack(null);
        else setError(failure instanceof Error ? failure.message : String(failure));
      },
    ).finally(() => {
      state.busy = false;
      if (state.again) {
        state.again = false;
        load();
      }
    });
  }, [client, stackId]);

  useEffect(() => {
    setStack(undefined);
    load();
  }, [load]);
  // The topology's code loads while the stack is read, not after.
  useEffect(() => {
    void loadTopology();
  }, []);
  useSubscription(StackChangedDocument, { stackId }, load);

  useEffect(() => {
    if (stack) document.title = `${stack.name} · ${statusLabel(t, stack.status)} · ${t('app.title')}`;
  }, [stack, t]);

  if (error && !stack) return <p role="alert" className="error">{t('common.error', { message: error })}</p>;
  if (stack === undefined) return <p role="status">{t('common.loading')}</p>;
  if (stack === null) return <NotFound />;

  const element = stack.elements.find((e) => e.name === selected) ?? null;
  const progress = stack.progress;
  return (
    <article className="stack-page" data-testid="stack-page" data-stack={stack.name} data-status={stack.status}>
      <div className="page-title">
        <h1>{stack.name}</h1>
        <StatusBadge status={stack.status} />
        <span data-testid="stack-action" className="muted">
          {actionLabel(t, stack.action, stack.actionState)}
        </span>
        {progress ? (
          <span className="progress" data-testid="stack-progress">
            <progress max={progress.total} value={progress.done} aria-label={t('stack.progress', { ...progress })} /> {t('stack.progress', { ...progress })}
          </span>
        ) : null}
        <StackActions stack={stack} t={t} onChanged={load} />
      </div>
      {stack.statusReason ? <p className="status-reason">{stack.statusReason}</p> : null}
      <dl className="stack-facts">
        <div>
          <dt>{t('stack.template')}</dt>
          <dd>
            <Link to={`/templates/${encodeURIComponent(stack.template.name)}`}>{stack.template.name}</Link> v{stack.templateVersion.version}
          </dd>
        </div>
        <div>
          <dt>{t('stack.cluster')}</dt>
          <dd>
            {stack.cluster ? `${stack.cluster.name} (${stack.cluster.kind})` : '—'}
            {stack.namespace ? ` / ${stack.namespace}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('stack.revision')}</dt>
          <dd>{stack.revision}</dd>
        </div>
        <div>
          <dt>{t('stack.settings')}</dt>
          <dd>{t('stack.timeout', { minutes: stack.timeoutMinutes, rollback: t(stack.autoRollback ? 'stack.on' : 'stack.off') })}</dd>
        </div>
      </dl>

      <div className="stack-grid">
        <section aria-labelledby="topology-title" className="topology-section">
          <h2 id="topology-title">{t('stack.topology')}</h2>
          <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
            <Topology elements={stack.elements} layout={stack.topology ?? null} selected={selected} onSelect={setSelected} label={t('stack.topology')} />
          </Suspense>
        </section>
        <aside className="element-panel" aria-label={t('stack.element')}>
          {element ? <ElementDetails element={element} t={t} /> : <p className="muted">{t('stack.select')}</p>}
        </aside>
      </div>

      <section aria-labelledby="elements-title">
        <h2 id="elements-title">{t('stack.elements')}</h2>
        <table data-testid="elements">
          <thead>
            <tr>
              <th scope="col">{t('stack.name')}</th>
              <th scope="col">{t('stack.type')}</th>
              <th scope="col">{t('stack.status')}</th>
              <th scope="col">{t('stack.health')}</th>
              <th scope="col">{t('stack.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {stack.elements.map((e) => (
              <tr key={e.name} data-element={e.name} data-status={e.status} data-health={e.health}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => setSelected(e.name)} aria-pressed={selected === e.name}>
                    {e.name}
                  </button>
                </th>
                <td>{e.type}</td>
                <td>{elementStatusLabel(t, e.status)}</td>
                <td>
                  <HealthBadge health={e.health} />
                </td>
                <td>{e.statusReason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <div className="two-columns">
        <section aria-labelledby="outputs-title">
          <h2 id="outputs-title">{t('stack.outputs')}</h2>
          <table data-testid="outputs">
            <thead>
              <tr>
                <th scope="col">{t('stack.name')}</th>
                <th scope="col">{t('stack.value')}</th>
                <th scope="col">{t('stack.description')}</th>
              </tr>
            </thead>
            <tbody>
              {stack.outputs.map((output) => {
                const link = outputLink(output.name, output.value, stack);
                return (
                  <tr key={output.name} data-output={output.name}>
                    <th scope="row">{output.name}</th>
                    <td>
                      <code>{text(output.value)}</code>{' '}
                      {output.value !== null && output.value !== undefined ? <CopyButton value={text(output.value)} t={t} label={output.name} /> : null}{' '}
                      {link ? (
                        <a href={link} target="_blank" rel="noopener noreferrer" data-testid="output-link">
                          {t('stack.openPage')}
                        </a>
                      ) : null}
                    </td>
                    <td>{output.description ?? ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="inputs-title">
          <h2 id="inputs-title">{t('stack.inputs')}</h2>
          <table data-testid="inputs">
            <thead>
              <tr>
                <th scope="col">{t('stack.name')}</th>
                <th scope="col">{t('stack.value')}</th>
              </tr>
            </thead>
            <tbody>
              {stack.inputs.map((input) => (
                <tr key={input.name} data-input={input.name}>
                  <th scope="row">{input.name}</th>
                  <td>
                    <code>{text(input.value)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section aria-labelledby="alarms-title">
        <h2 id="alarms-title">{t('stack.alarms')}</h2>
        {stack.alarms.length === 0 ? (
          <p>{t('stack.noAlarms')}</p>
        ) : (
          <table data-testid="alarms">
            <thead>
              <tr>
                <th scope="col">{t('stack.element')}</th>
                <th scope="col">{t('stack.description')}</th>
                <th scope="col">{t('stack.raised')}</th>
                <th scope="col">{t('stack.cleared')}</th>
              </tr>
            </thead>
            <tbody>
              {stack.alarms.map((alarm) => (
                <tr key={alarm.id} className={alarm.clearedAt ? '' : 'alarm-open'}>
                  <td>{alarm.element ?? '—'}</td>
                  <td>{alarm.message}</td>
                  <td>{formatTime(alarm.raisedAt)}</td>
                  <td>{alarm.clearedAt ? formatTime(alarm.clearedAt) : t('stack.open')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <StackEvents stackId={stack.id} onEvent={load} t={t} />
    </article>
  );
}
