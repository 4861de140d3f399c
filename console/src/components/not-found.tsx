import { useT } from '../i18n';
import { Link } from '../router';

/** An unknown path, an unknown id, or another tenant's object: the same words for all three. */
export function NotFound() {
  const t = useT();
  return (
    <section className="not-found" data-testid="not-found">
      <h1>{t('common.notFound')}</h1>
      <p>{t('common.notFoundText')}</p>
      <p>
        <Link to="/stacks">{t('nav.stacks')}</Link>
      </p>
    </section>
  );
}
