import { useEffect, useState } from 'react';

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

export const timeLeftTickMs = 1_000;

/**
 * Milliseconds left until `deadline` (an ISO time), by the browser's clock, updated every second; 0 once it has
 * passed, null with no deadline. The ledger keeps its own clock: a capture after expiry is refused whatever this says.
 */
export function useTimeLeft(deadline: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (deadline === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), timeLeftTickMs);
    return () => clearInterval(timer);
  }, [deadline]);
  if (deadline === null) return null;
  return Math.max(0, Date.parse(deadline) - now);
}
