// Create a stack: the form generated from a template's inputs, plan preview, inputs import/export (issue 13, item 3).
// A placeholder until that page is built: the route and its file are here so that the page is
// filled in without touching the shell. `path`: the URL's segments below /console/stacks/new.
import { useT } from '../i18n';

export default function CreateStackPage({ path }: { path: string[] }) {
  const t = useT();
  return (
    <section data-path={path.join('/')}>
      <h1>{t('nav.stacks')}</h1>
      <p>{t('common.comingSoon')}</p>
    </section>
  );
}
