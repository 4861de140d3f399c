// Data hooks over the session's SDK client: one request (reloadable), and a live subscription.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AosDocument } from './sdk';
import { useSession } from './session';

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  /** Asks again; the data shown stays until the answer comes. */
  reload: () => void;
}

/** The answer of one query (or any request), asked again when `key` changes or on reload(). */
export function useRequest<TResult, TVariables>(document: AosDocument<TResult, TVariables>, variables: TVariables, key: string = JSON.stringify(variables)): Loaded<TResult> {
  const { client } = useSession();
  const [state, setState] = useState<{ data: TResult | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  const variablesRef = useRef(variables);
  variablesRef.current = variables;
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    client.request(document, variablesRef.current).then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: unknown) => current && setState((s) => ({ data: s.data, error: error instanceof Error ? error : new Error(String(error)), loading: false })),
    );
    return () => {
      current = false;
    };
  }, [client, document, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

/**
 * Runs `onData` for every message of a subscription while the component is mounted (and `key`
 * unchanged). The SDK's client reconnects by itself; `onData` is read from a ref, so it may change.
 */
export function useSubscription<TResult, TVariables>(document: AosDocument<TResult, TVariables>, variables: TVariables, onData: (data: TResult) => void, key: string = JSON.stringify(variables)): void {
  const { client } = useSession();
  const handler = useRef(onData);
  handler.current = onData;
  const variablesRef = useRef(variables);
  variablesRef.current = variables;
  useEffect(() => {
    const iterator = client.subscribe(document, variablesRef.current);
    let open = true;
    void (async () => {
      try {
        for (let step = await iterator.next(); open && !step.done; step = await iterator.next()) handler.current(step.value);
      } catch {
        // The subscription ended with an error (e.g. the stack is gone); the page keeps what it shows.
      }
    })();
    return () => {
      open = false;
      void iterator.return?.();
    };
  }, [client, document, key]);
}
