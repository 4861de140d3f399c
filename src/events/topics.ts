/** What is announced over PostgreSQL NOTIFY: ids only; subscribers reload the rows. */
export interface Topics {
  'audit.recorded': { tenantId: string | null; targetTenantId?: string | null; id: string };
  'stack.changed': { tenantId: string; stackId: string };
  'stack.event': { tenantId: string; stackId: string; eventId: string };
  /** Tokens that stopped being valid (revoked, or their user deleted): their open sockets close. */
  'tokens.revoked': { tenantId: string; tokenIds: string[] };
}
export type TopicName = keyof Topics;

export const NOTIFY_CHANNEL = 'aos_events';

export interface Notification<T extends TopicName = TopicName> {
  topic: T;
  payload: Topics[T];
}

export function encodeNotification<T extends TopicName>(topic: T, payload: Topics[T]): string {
  return JSON.stringify({ topic, payload });
}
