import { useCallback, useRef, useState } from 'react';
import { NetworkError, newIdempotencyKey, StillPendingError, submitCommand } from './api';

export interface CommandState {
  busy: boolean;
  /** The command id while the ledger has not answered (a 202). */
  pendingId: string | null;
  error: unknown;
}

/**
 * One write from a dialog. The Idempotency-Key is made when the person confirms and kept while the answer
 * is unknown (lost connection, still pending), so "Try again" can never apply it twice; a definite answer
 * or a change to the form starts a new key.
 */
export function useCommand<R>() {
  const key = useRef<string | null>(null);
  const [state, setState] = useState<CommandState>({ busy: false, pendingId: null, error: null });

  const run = useCallback(async (path: string, body: unknown): Promise<R | null> => {
    key.current ??= newIdempotencyKey();
    setState({ busy: true, pendingId: null, error: null });
    try {
      const result = await submitCommand<R>(path, body, key.current, (pendingId) => setState((s) => ({ ...s, pendingId })));
      key.current = null;
      setState({ busy: false, pendingId: null, error: null });
      return result;
    } catch (error) {
      const answerUnknown = error instanceof NetworkError || error instanceof StillPendingError;
      if (!answerUnknown) key.current = null;
      setState({ busy: false, pendingId: null, error });
      return null;
    }
  }, []);

  const formChanged = useCallback(() => {
    key.current = null;
    setState((s) => (s.error ? { ...s, error: null } : s));
  }, []);

  return { ...state, run, formChanged };
}
