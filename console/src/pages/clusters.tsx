// The tenant's clusters (issue 13, item 6): kind, endpoint as the API shows it (never credentials:
// kubeconfigs and connection URLs are stored encrypted and not returned), where workloads are
// reached, trust, and health checked live when the page asks (a few seconds at most per cluster).
// The tenant's ADMIN (and the platform administrator) may delete a cluster no stack uses;
// registering one stays with the CLI and API (its credentials are not typed into a web page here).
import { useState } from 'react';
import { useRequest } from '../hooks';
import { useFormatTime, useT, type Messages } from '../i18n';
import { canAdministerTenant } from '../roles';
import { DeleteClusterDocument, ClustersDocument } from '../sdk';
import { useSession } from '../session';
import { NotFound } from '../components/not-found';
import { LoadState } from '../components/load-state';

const MESSAGES: Messages = {
  en: {
    'clusters.title': 'Clusters',
    'clusters.empty': 'No clusters yet. The tenant’s administrator registers them (aos cluster register).',
    'clusters.name': 'Name',
    'clusters.kind': 'Kind',
    'clusters.endpoint': 'Endpoint',
    'clusters.publish': 'Workloads reached at',
    'clusters.health': 'Health',
    'clusters.registered': 'Registered',
    'clusters.trusted': 'trusted (registered by the platform administrator)',
    'clusters.healthy': 'Healthy',
    'clusters.unhealthy': 'Unreachable',
    'clusters.refresh': 'Check again',
    'clusters.delete': 'Delete {name}',
    'clusters.confirm': 'Really delete {name}?',
    'clusters.inUse': '{name} is used by stacks: {stacks}.',
    'clusters.deleted': '{name} was deleted.',
  },
  'zh-CN': {
    'clusters.title': '集群',
    'clusters.empty': '还没有集群。由租户管理员注册（aos cluster register）。',
    'clusters.name': '名称',
    'clusters.kind': '类型',
    'clusters.endpoint': '端点',
    'clusters.publish': '工作负载访问地址',
    'clusters.health': '健康状况',
    'clusters.registered': '注册时间',
    'clusters.trusted': '受信任（由平台管理员注册）',
    'clusters.healthy': '健康',
    'clusters.unhealthy': '不可达',
    'clusters.refresh': '重新检查',
    'clusters.delete': '删除 {name}',
    'clusters.confirm': '确定删除 {name}？',
    'clusters.inUse': '{name} 正被堆栈使用：{stacks}。',
    'clusters.deleted': '{name} 已删除。',
  },
};

export default function ClustersPage({ path }: { path: string[] }) {
  const t = useT(MESSAGES);
  const formatTime = useFormatTime();
  const { client, viewer } = useSession();
  const list = useRequest(ClustersDocument, {});
  const [confirming, setConfirming] = useState<string | null>(null);
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  const admin = canAdministerTenant(viewer);
  if (path.length > 0) return <NotFound />;

  const remove = async (id: string, name: string) => {
    setConfirming(null);
    try {
      const { deleteCluster: outcome } = await client.request(DeleteClusterDocument, { input: { clusterId: id } });
      if (outcome.__typename === 'DeleteClusterSuccess') setNote({ error: false, text: t('clusters.deleted', { name }) });
      else if (outcome.__typename === 'ClusterInUse') setNote({ error: true, text: t('clusters.inUse', { name, stacks: outcome.stacks.join(', ') }) });
      else setNote({ error: true, text: outcome.message });
    } catch (error) {
      setNote({ error: true, text: error instanceof Error ? error.message : String(error) });
    }
    list.reload();
  };

  const clusters = list.data?.clusters ?? [];
  return (
    <section className="clusters-page">
      <div className="page-title">
        <h1>{t('clusters.title')}</h1>
        <button type="button" className="secondary" onClick={list.reload} disabled={list.loading}>
          {t('clusters.refresh')}
        </button>
      </div>
      <LoadState loaded={list} />
      {note ? (
        <p role={note.error ? 'alert' : 'status'} className={note.error ? 'error' : undefined}>
          {note.text}
        </p>
      ) : null}
      {list.data && clusters.length === 0 ? <p>{t('clusters.empty')}</p> : null}
      {clusters.length > 0 ? (
        <table data-testid="clusters-table">
          <thead>
            <tr>
              <th scope="col">{t('clusters.name')}</th>
              <th scope="col">{t('clusters.kind')}</th>
              <th scope="col">{t('clusters.endpoint')}</th>
              <th scope="col">{t('clusters.publish')}</th>
              <th scope="col">{t('clusters.health')}</th>
              <th scope="col">{t('clusters.registered')}</th>
              {admin ? <th scope="col"><span className="visually-hidden">{t('clusters.delete', { name: '' })}</span></th> : null}
            </tr>
          </thead>
          <tbody>
            {clusters.map((cluster) => (
              <tr key={cluster.id} data-cluster={cluster.name} data-healthy={cluster.healthy ? 'true' : 'false'}>
                <th scope="row">
                  {cluster.name}
                  {cluster.trusted ? <div className="muted">{t('clusters.trusted')}</div> : null}
                </th>
                <td>{cluster.kind}</td>
                <td className="mono">{cluster.endpoint ?? '—'}</td>
                <td className="mono">{cluster.publishAddress ?? '—'}</td>
                <td>
                  <span className={`badge ${cluster.healthy ? 'health-HEALTHY' : 'health-ABNORMAL'}`}>{cluster.healthy ? t('clusters.healthy') : t('clusters.unhealthy')}</span>
                  {cluster.version ? <div className="muted">{cluster.version}</div> : null}
                  {cluster.healthMessage ? <div className="muted">{cluster.healthMessage}</div> : null}
                </td>
                <td>{formatTime(cluster.createdAt)}</td>
                {admin ? (
                  <td>
                    {confirming === cluster.id ? (
                      <span className="button-row">
                        <span>{t('clusters.confirm', { name: cluster.name })}</span>
                        <button type="button" className="danger" onClick={() => void remove(cluster.id, cluster.name)}>
                          {t('common.confirm')}
                        </button>
                        <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                          {t('common.cancel')}
                        </button>
                      </span>
                    ) : (
                      <button type="button" className="secondary" onClick={() => setConfirming(cluster.id)}>
                        {t('clusters.delete', { name: cluster.name })}
                      </button>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
