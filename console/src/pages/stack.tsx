// One stack (issue 13, item 5). The full page comes with the stack pages.
import { NotFound } from '../components/not-found';
import { useRequest } from '../hooks';
import { useT } from '../i18n';
import { StackDocument } from '../sdk';
import { StatusBadge } from '../components/status';

export default function StackPage({ stackId }: { stackId: string }) {
  const t = useT();
  const stack = useRequest(StackDocument, { id: stackId });
  if (stack.loading && !stack.data) return <p role="status">{t('common.loading')}</p>;
  if (stack.error) return <p role="alert" className="error">{t('common.error', { message: stack.error.message })}</p>;
  if (!stack.data?.stack) return <NotFound />;
  return (
    <section>
      <h1>{stack.data.stack.name}</h1>
      <StatusBadge status={stack.data.stack.status} />
    </section>
  );
}
