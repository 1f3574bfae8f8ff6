import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { NetworkError, newIdempotencyKey, StillPendingError, submitCommand } from './api';

export interface CommandState {
  busy: boolean;
  /** The command id while the ledger has not answered (a 202). */
  pendingId: string | null;
  error: unknown;
}

interface Sent {
  path: string;
  body: unknown;
  key: string;
}

/**
 * One write from a dialog, as a TanStack Query mutation. The Idempotency-Key is made when the person confirms and
 * kept while the answer is unknown (lost connection, still pending), so "Try again" can never apply it twice; a
 * definite answer or a change to the form starts a new key. Once the ledger has applied it, the queries it names
 * (`invalidates`, e.g. the client's balances and transactions) are fetched again.
 */
export function useCommand<R>(invalidates: QueryKey[] = []) {
  const queryClient = useQueryClient();
  const key = useRef<string | null>(null);
  const [pendingId, setPendingId] = useState<string | null>(null);
  const latestInvalidates = useRef(invalidates);
  latestInvalidates.current = invalidates;

  const mutation = useMutation({
    mutationFn: ({ path, body, key }: Sent) => submitCommand<R>(path, body, key, setPendingId),
    onSettled: () => setPendingId(null),
    onSuccess: () => {
      key.current = null;
      for (const queryKey of latestInvalidates.current) void queryClient.invalidateQueries({ queryKey });
    },
    onError: (error) => {
      const answerUnknown = error instanceof NetworkError || error instanceof StillPendingError;
      if (!answerUnknown) key.current = null;
    },
  });
  const { mutateAsync, reset } = mutation;
  const failed = useRef(false);
  failed.current = mutation.isError;

  const run = useCallback(
    async (path: string, body: unknown): Promise<R | null> => {
      key.current ??= newIdempotencyKey();
      try {
        return await mutateAsync({ path, body, key: key.current });
      } catch {
        // The error is the mutation's state, shown by the dialog.
        return null;
      }
    },
    [mutateAsync],
  );

  const formChanged = useCallback(() => {
    key.current = null;
    // Only a failure is cleared: a write in flight keeps its busy state until the ledger answers.
    if (failed.current) reset();
  }, [reset]);

  return { busy: mutation.isPending, pendingId, error: mutation.error, run, formChanged };
}
