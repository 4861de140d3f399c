// A stack's status (and an element's health) as a coloured badge with the guide's words.
import { statusLabel, useT } from '../i18n';

export function StatusBadge({ status }: { status: string }) {
  const t = useT();
  return (
    <span className={`badge status-${status}`} data-status={status}>
      {statusLabel(t, status)}
    </span>
  );
}

/** @public an element's health (stack page, clusters) */
export function HealthBadge({ health }: { health: string }) {
  const t = useT();
  return (
    <span className={`badge health-${health}`} data-health={health}>
      {t(`health.${health}`)}
    </span>
  );
}
