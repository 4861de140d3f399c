// What a page shows about a request besides its data: the failure, "loading" before the first
// answer, and the empty-list sentence once an answer holds nothing.
import type { Loaded } from '../hooks';
import { useT } from '../i18n';

export function LoadState({ loaded, empty = null }: { loaded: Loaded<unknown>; empty?: string | null }) {
  const t = useT();
  return (
    <>
      {loaded.error ? <p role="alert" className="error">{t('common.error', { message: loaded.error.message })}</p> : null}
      {loaded.loading && !loaded.data ? <p role="status">{t('common.loading')}</p> : null}
      {loaded.data && empty !== null ? <p>{empty}</p> : null}
    </>
  );
}
