// Audit records with the API's filters (issue 13, item 6).
// A placeholder until that page is built: the route and its file are here so that the page is
// filled in without touching the shell. `path`: the URL's segments below /console/audit.
import { useT } from '../i18n';

export default function AuditPage({ path }: { path: string[] }) {
  const t = useT();
  return (
    <section data-path={path.join('/')}>
      <h1>{t('nav.audit')}</h1>
      <p>{t('common.comingSoon')}</p>
    </section>
  );
}
