import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeNotification, NOTIFY_CHANNEL, type TopicName, type Topics } from './topics.js';

/**
 * Announces a change to every API process. Inside a transaction the notification leaves at commit,
 * so subscribers never reload a row that is not there yet.
 */
export async function publish<T extends TopicName>(em: EntityManager, topic: T, payload: Topics[T]): Promise<void> {
  // Inside a transaction, on its connection: NOTIFY then leaves at commit, and the call never
  // waits for a second connection from the pool while holding the first.
  await em.getConnection().execute('select pg_notify(?, ?)', [NOTIFY_CHANNEL, encodeNotification(topic, payload)], 'all', em.getTransactionContext());
}
