// A stack's events, newest first, live (the SDK's stackEvents: it catches up after a reconnect, so
// nothing is lost or repeated). Scrolled away from the top, new events wait behind a marker.
import { useEffect, useRef, useState } from 'react';
import { useFormatTime, type Translate } from '../i18n';
import { StackEventsSinceDocument, type StackEvent } from '../sdk';
import { useSession } from '../session';

const FIRST_PAGE = 100;
const KEPT = 1000;

export function StackEvents({ stackId, onEvent, t }: { stackId: string; onEvent: () => void; t: Translate }) {
  const { client } = useSession();
  const formatTime = useFormatTime();
  const [events, setEvents] = useState<StackEvent[]>([]);
  const [unseen, setUnseen] = useState(0);
  const list = useRef<HTMLOListElement>(null);
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  useEffect(() => {
    let open = true;
    let stream: AsyncIterableIterator<StackEvent> | null = null;
    void (async () => {
      try {
        const first = await client.request(StackEventsSinceDocument, { id: stackId, first: FIRST_PAGE });
        if (!open) return;
        const initial = first.stack?.events.edges.map((edge) => edge.node) ?? [];
        setEvents(initial);
        stream = client.stackEvents(stackId, { since: initial[0]?.cursor ?? null });
        for await (const event of stream) {
          if (!open) break;
          setEvents((current) => [event, ...current].slice(0, KEPT));
          if ((list.current?.scrollTop ?? 0) > 4) setUnseen((n) => n + 1);
          onEventRef.current();
        }
      } catch {
        // The stream ended (the stack was deleted, or the session closed): what is shown stays.
      }
    })();
    return () => {
      open = false;
      void stream?.return?.();
    };
  }, [client, stackId]);

  const showNewest = () => {
    list.current?.scrollTo({ top: 0 });
    setUnseen(0);
  };

  return (
    <section className="events" aria-labelledby="events-title">
      <h2 id="events-title">{t('stack.events')}</h2>
      {unseen > 0 ? (
        <button type="button" className="new-events" data-testid="new-events" onClick={showNewest}>
          {t('stack.newEvents', { count: unseen })}
        </button>
      ) : null}
      <ol
        ref={list}
        className="event-list"
        data-testid="events"
        tabIndex={0}
        aria-label={t('stack.events')}
        onScroll={(event) => {
          if (event.currentTarget.scrollTop <= 4) setUnseen(0);
        }}
      >
        {events.map((event) => (
          <li key={event.id} data-type={event.type}>
            <time dateTime={event.time}>{formatTime(event.time)}</time> <code>{event.type}</code>
            {event.element ? <strong> {event.element}</strong> : null}: {event.message}
          </li>
        ))}
        {events.length === 0 ? <li>{t('common.none')}</li> : null}
      </ol>
    </section>
  );
}
