import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeNotification, NOTIFY_CHANNEL, type TopicName, type Topics } from './topics.js';

/**
 * Announces a change to every API process. Inside a transaction the notification leaves at commit,
 * so subscribers never reload a row that is not there yet.
 */
export async function publish<T extends TopicName>(em: EntityManager, topic: T, payload: Topics[T]): Promise<void> {
  await em.getConnection().execute('select pg_notify(?, ?)', [NOTIFY_CHANNEL, encodeNotification(topic, payload)]);
}
