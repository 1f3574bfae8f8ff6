import { ApiError, NetworkError, StillPendingError } from '../api';
import type { CommandState } from '../command';

/** A server error in words, never JSON; a lost connection says so and offers to try again. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const lostConnection = error instanceof NetworkError;
  const message = error instanceof Error ? error.message : 'Something went wrong';
  const hint = error instanceof ApiError && error.code === 'too_many_requests' ? retryHint(error) : null;
  const kind = lostConnection ? 'notice-offline' : error instanceof StillPendingError ? 'notice-pending' : 'notice-error';
  return (
    <div className={`notice ${kind}`} role="alert">
      <p>
        {lostConnection ? <strong>Connection lost. </strong> : null}
        {hint ? `${message}${/[.!?]$/.test(message) ? '' : '.'} ${hint}` : message}
      </p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

function retryHint(error: ApiError): string | null {
  const seconds = error.retryAfterSeconds ?? (typeof error.details.retryAfterSeconds === 'number' ? error.details.retryAfterSeconds : null);
  if (seconds === null) return null;
  return seconds < 90 ? `Try again in ${seconds} seconds.` : `Try again in ${Math.ceil(seconds / 60)} minutes.`;
}

export function PendingNotice({ commandId }: { commandId: string | null }) {
  if (!commandId) return null;
  return (
    <div className="notice notice-pending" role="status">
      <p>
        <span className="spinner" aria-hidden="true" /> Pending: the ledger has this and has not confirmed it yet. Waiting…
      </p>
    </div>
  );
}

/**
 * What a form's command is waiting for or failed with. "Try again" is offered only for a lost connection: the command
 * keeps its Idempotency-Key then, so a retry cannot apply it twice; a refusal needs the form changed instead.
 */
export function CommandNotices({ command, onRetry }: { command: Pick<CommandState, 'pendingId' | 'error'>; onRetry: () => void }) {
  return (
    <>
      <PendingNotice commandId={command.pendingId} />
      <ErrorNotice error={command.error} onRetry={command.error instanceof NetworkError ? onRetry : undefined} />
    </>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}
