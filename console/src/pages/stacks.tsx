// The tenant's stacks, live: `stacksChanged` moves a stack's row (status, action, progress) as it
// changes, adds new stacks and drops deleted ones.
import { useMemo, useState } from 'react';
import { useRequest, useSubscription } from '../hooks';
import { actionLabel, useFormatTime, useT, type Messages } from '../i18n';
import { canChange } from '../roles';
import { Link } from '../router';
import { StacksChangedDocument, StacksDocument, type StackSummaryFragment } from '../sdk';

/** A row: the summary, and how far a running install/start/stop/delete has come. */
type Row = StackSummaryFragment & { progress: { done: number; total: number } | null };
import { useSession } from '../session';
import { StatusBadge } from '../components/status';
import { LoadState } from '../components/load-state';

const MESSAGES: Messages = {
  en: {
    'stacks.title': 'Stacks',
    'stacks.create': 'Create stack',
    'stacks.empty': 'No stacks yet.',
    'stacks.name': 'Name',
    'stacks.status': 'Status',
    'stacks.action': 'Action',
    'stacks.namespace': 'Namespace',
    'stacks.revision': 'Revision',
    'stacks.updated': 'Updated',
    'stacks.more': 'More',
    'stacks.progress': '{done} of {total} elements',
  },
  'zh-CN': {
    'stacks.title': '堆栈',
    'stacks.create': '创建堆栈',
    'stacks.empty': '还没有堆栈。',
    'stacks.name': '名称',
    'stacks.status': '状态',
    'stacks.action': '操作',
    'stacks.namespace': '命名空间',
    'stacks.revision': '版本',
    'stacks.updated': '更新时间',
    'stacks.more': '更多',
    'stacks.progress': '{done} / {total} 个元素',
  },
};

const PAGE = 100;

export function StacksPage() {
  const t = useT(MESSAGES);
  const formatTime = useFormatTime();
  const { viewer } = useSession();
  const [pages, setPages] = useState(1);
  const list = useRequest(StacksDocument, { first: PAGE * pages });
  // Live changes since the list was read, by id; applied over the list.
  const [changed, setChanged] = useState<ReadonlyMap<string, Row>>(new Map());
  useSubscription(StacksChangedDocument, {}, (data) => {
    setChanged((current) => new Map(current).set(data.stacksChanged.id, data.stacksChanged));
  });

  const rows = useMemo(() => {
    const byId = new Map<string, Row>();
    for (const edge of list.data?.stacks.edges ?? []) byId.set(edge.node.id, edge.node);
    for (const [id, stack] of changed) {
      const known = byId.get(id);
      // A change older than what the list read is ignored.
      if (!known || known.updatedAt <= stack.updatedAt) byId.set(id, stack);
    }
    return [...byId.values()].filter((stack) => stack.status !== 'DELETED').sort((a, b) => a.name.localeCompare(b.name));
  }, [list.data, changed]);

  return (
    <section className="stacks-page">
      <div className="page-title">
        <h1>{t('stacks.title')}</h1>
        {canChange(viewer) ? (
          <Link to="/stacks/new" className="button">
            {t('stacks.create')}
          </Link>
        ) : null}
      </div>
      <LoadState loaded={list} empty={rows.length === 0 ? t('stacks.empty') : null} />
      {rows.length > 0 ? (
        <table className="stacks" data-testid="stacks-table">
          <thead>
            <tr>
              <th scope="col">{t('stacks.name')}</th>
              <th scope="col">{t('stacks.status')}</th>
              <th scope="col">{t('stacks.action')}</th>
              <th scope="col">{t('stacks.namespace')}</th>
              <th scope="col">{t('stacks.revision')}</th>
              <th scope="col">{t('stacks.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((stack) => (
              <tr key={stack.id} data-stack={stack.name}>
                <th scope="row">
                  <Link to={`/stacks/${stack.id}`}>{stack.name}</Link>
                </th>
                <td>
                  <StatusBadge status={stack.status} />
                </td>
                <td data-testid="stack-action" data-action={stack.action ?? ''} data-action-state={stack.actionState ?? ''}>
                  {actionLabel(t, stack.action, stack.actionState) || '—'}
                  {stack.progress ? (
                    <span className="progress" data-testid="stack-progress">
                      {' '}
                      <progress max={stack.progress.total} value={stack.progress.done} aria-label={t('stacks.progress', { ...stack.progress })} /> {t('stacks.progress', { ...stack.progress })}
                    </span>
                  ) : null}
                </td>
                <td>{stack.namespace}</td>
                <td>{stack.revision}</td>
                <td>{formatTime(stack.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {list.data?.stacks.pageInfo.hasNextPage ? (
        <button type="button" className="secondary" onClick={() => setPages((n) => n + 1)}>
          {t('stacks.more')}
        </button>
      ) : null}
    </section>
  );
}
