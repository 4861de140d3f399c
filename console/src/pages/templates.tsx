// Templates: list, versions in the YAML editor, new template/version validated as you type (issue 13, item 2).
// A placeholder until that page is built: the route and its file are here so that the page is
// filled in without touching the shell. `path`: the URL's segments below /console/templates.
import { useT } from '../i18n';

export default function TemplatesPage({ path }: { path: string[] }) {
  const t = useT();
  return (
    <section data-path={path.join('/')}>
      <h1>{t('nav.templates')}</h1>
      <p>{t('common.comingSoon')}</p>
    </section>
  );
}
