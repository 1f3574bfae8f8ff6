import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads data for a screen; a newer load wins over an older one that answers late. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const generation = useRef(0);
  // The caller names what the loader depends on, as it would for useEffect.
  const run = useCallback(load, deps);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    run().then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (error: unknown) => mine === generation.current && setState((previous) => ({ ...previous, error, loading: false })),
    );
  }, [run]);
  useEffect(reload, [reload]);
  return { ...state, reload };
}

/** A value that settles `delayMs` after the last change, for search-as-you-type. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** Whether the browser believes it is online; the API's own NetworkError is the final word. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

/** Calls `onReturn` when the person comes back to this tab or window, where another tab may have changed things. */
export function useOnReturn(onReturn: () => void): void {
  const latest = useRef(onReturn);
  latest.current = onReturn;
  useEffect(() => {
    const visible = () => document.visibilityState === 'visible' && latest.current();
    const focused = () => latest.current();
    document.addEventListener('visibilitychange', visible);
    window.addEventListener('focus', focused);
    return () => {
      document.removeEventListener('visibilitychange', visible);
      window.removeEventListener('focus', focused);
    };
  }, []);
}
