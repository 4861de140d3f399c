// Templates (issue 13, item 2): the tenant's templates with description and versions; a template's
// page shows one version's text (read-only, highlighted) and its declared inputs. New templates
// and versions are written in template-new.tsx. `path`: the URL's segments below /console/templates.
import { lazy, Suspense, useState } from 'react';
import { useRequest } from '../hooks';
import { useFormatTime, useT, type Messages } from '../i18n';
import { INPUT_MESSAGES, withMessages } from '../inputs';
import { canChange } from '../roles';
import { Link } from '../router';
import { TemplatesDocument, TemplateVersionsDocument } from '../sdk';
import { useSession } from '../session';
import { InputSummary } from '../components/input-summary';
import { NotFound } from '../components/not-found';
import { LoadState } from '../components/load-state';

const YamlEditor = lazy(() => import('../components/yaml-editor'));
const TemplateNewPage = lazy(() => import('./template-new'));

const OWN: Messages = {
  en: {
    'templates.title': 'Templates',
    'templates.new': 'New template',
    'templates.filter': 'Name contains',
    'templates.empty': 'No templates yet.',
    'templates.name': 'Name',
    'templates.description': 'Description',
    'templates.versions': 'Versions',
    'templates.latest': 'Latest',
    'templates.updated': 'Updated',
    'templates.previous': 'Previous page',
    'templates.next': 'Next page',
    'template.versions': 'Versions',
    'template.version': 'Version {version}',
    'template.text': 'Template text of version {version}',
    'template.inputs': 'Declared inputs',
    'template.newVersion': 'New version',
    'template.createStack': 'Create a stack from version {version}',
    'template.masked': 'Password defaults and secret values are shown as ******.',
    'template.all': 'All templates',
  },
  'zh-CN': {
    'templates.title': '模板',
    'templates.new': '新建模板',
    'templates.filter': '名称包含',
    'templates.empty': '还没有模板。',
    'templates.name': '名称',
    'templates.description': '描述',
    'templates.versions': '版本',
    'templates.latest': '最新版本',
    'templates.updated': '更新时间',
    'templates.previous': '上一页',
    'templates.next': '下一页',
    'template.versions': '版本',
    'template.version': '版本 {version}',
    'template.text': '版本 {version} 的模板内容',
    'template.inputs': '声明的输入',
    'template.newVersion': '新建版本',
    'template.createStack': '用版本 {version} 创建堆栈',
    'template.masked': '密码默认值和机密值显示为 ******。',
    'template.all': '全部模板',
  },
};
const MESSAGES = withMessages(INPUT_MESSAGES, OWN);

const PAGE = 50;

function TemplateList() {
  const t = useT(MESSAGES);
  const formatTime = useFormatTime();
  const { viewer } = useSession();
  const [name, setName] = useState('');
  // Relay paging: the cursors of the pages before this one (the API gives at most 100 a page).
  const [cursors, setCursors] = useState<string[]>([]);
  const list = useRequest(TemplatesDocument, { first: PAGE, after: cursors[cursors.length - 1] ?? null, name: name.trim() || null });
  const rows = list.data?.templates.edges.map((edge) => edge.node) ?? [];
  return (
    <section className="templates-page">
      <div className="page-title">
        <h1>{t('templates.title')}</h1>
        {canChange(viewer) ? (
          <Link to="/templates/new" className="button">
            {t('templates.new')}
          </Link>
        ) : null}
      </div>
      <label className="filter">
        {t('templates.filter')} <input
          type="search"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            setCursors([]);
          }}
        />
      </label>
      <LoadState loaded={list} empty={rows.length === 0 ? t('templates.empty') : null} />
      {rows.length > 0 ? (
        <table data-testid="templates-table">
          <thead>
            <tr>
              <th scope="col">{t('templates.name')}</th>
              <th scope="col">{t('templates.description')}</th>
              <th scope="col">{t('templates.versions')}</th>
              <th scope="col">{t('templates.latest')}</th>
              <th scope="col">{t('templates.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((template) => (
              <tr key={template.id} data-template={template.name}>
                <th scope="row">
                  <Link to={`/templates/${template.id}`}>{template.name}</Link>
                </th>
                <td>{template.description ?? ''}</td>
                <td>
                  <ul className="inline-list" aria-label={t('templates.versions')}>
                    {template.versions.map((version) => (
                      <li key={version.id}>
                        <Link to={`/templates/${template.id}/versions/${encodeURIComponent(version.version)}`}>{version.version}</Link>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{template.latestVersion.version}</td>
                <td>{formatTime(template.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="button-row">
        {cursors.length > 0 ? (
          <button type="button" className="secondary" onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t('templates.previous')}
          </button>
        ) : null}
        {list.data?.templates.pageInfo.hasNextPage && list.data.templates.pageInfo.endCursor ? (
          <button type="button" className="secondary" onClick={() => setCursors((c) => [...c, list.data?.templates.pageInfo.endCursor ?? ''])}>
            {t('templates.next')}
          </button>
        ) : null}
      </div>
    </section>
  );
}

function TemplateDetail({ id, version }: { id: string; version?: string }) {
  const t = useT(MESSAGES);
  const formatTime = useFormatTime();
  const { viewer } = useSession();
  const detail = useRequest(TemplateVersionsDocument, { id });
  if (detail.error) return <p role="alert" className="error">{t('common.error', { message: detail.error.message })}</p>;
  if (!detail.data) return <p role="status">{t('common.loading')}</p>;
  const template = detail.data.template;
  if (!template) return <NotFound />;
  const versions = template.versions;
  const shownVersion = versions.find((v) => v.version === version) ?? (version === undefined ? versions[versions.length - 1] : undefined);
  if (!shownVersion) return <NotFound />;
  return (
    <section className="template-page">
      <p>
        <Link to="/templates">{t('template.all')}</Link>
      </p>
      <div className="page-title">
        <h1>{template.name}</h1>
        {canChange(viewer) ? (
          <span className="button-row">
            <Link to={`/templates/${template.id}/new-version`} className="button secondary">
              {t('template.newVersion')}
            </Link>
            <Link to={`/stacks/new?template=${encodeURIComponent(template.id)}&version=${encodeURIComponent(shownVersion.version)}`} className="button">
              {t('template.createStack', { version: shownVersion.version })}
            </Link>
          </span>
        ) : null}
      </div>
      {template.description ? <p>{template.description}</p> : null}
      <nav aria-label={t('template.versions')}>
        <ul className="inline-list versions">
          {versions.map((v) => (
            <li key={v.id}>
              <Link to={`/templates/${template.id}/versions/${encodeURIComponent(v.version)}`} aria-current={v.id === shownVersion.id ? 'page' : undefined}>
                {t('template.version', { version: v.version })}
              </Link>{' '}
              <span className="muted">{formatTime(v.createdAt)}</span>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{t('template.inputs')}</h2>
      <InputSummary inputs={shownVersion.inputs} caption={t('template.inputs')} />
      <h2>{t('template.text', { version: shownVersion.version })}</h2>
      <p className="help">{t('template.masked')}</p>
      <Suspense fallback={<pre className="yaml-fallback">{shownVersion.body}</pre>}>
        <YamlEditor key={shownVersion.id} value={shownVersion.body} readOnly label={t('template.text', { version: shownVersion.version })} />
      </Suspense>
    </section>
  );
}

export default function TemplatesPage({ path }: { path: string[] }) {
  const t = useT(MESSAGES);
  const [first, second, third] = path;
  let page;
  if (first === undefined) page = <TemplateList />;
  else if (first === 'new' && second === undefined) page = <TemplateNewPage />;
  else if (second === 'new-version' && third === undefined) page = <TemplateNewPage templateId={first} />;
  else if (second === undefined) page = <TemplateDetail id={first} />;
  else if (second === 'versions' && third !== undefined && path.length === 3) page = <TemplateDetail id={first} version={third} />;
  else page = <NotFound />;
  return <Suspense fallback={<p role="status">{t('common.loading')}</p>}>{page}</Suspense>;
}
