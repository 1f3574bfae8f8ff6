import { ApiError, NetworkError, StillPendingError } from '../api';
import { useTranslation } from 'react-i18next';
import type { CommandState } from '../command';
import { t as translate } from '../i18n';

/** A server error in words, never JSON; a lost connection says so and offers to try again. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  const lostConnection = error instanceof NetworkError;
  const message = error instanceof Error ? error.message : t('notice.somethingWentWrong');
  const hint = error instanceof ApiError && error.code === 'too_many_requests' ? retryHint(error) : null;
  const kind = lostConnection ? 'notice-offline' : error instanceof StillPendingError ? 'notice-pending' : 'notice-error';
  return (
    <div className={`notice ${kind}`} role="alert">
      <p>
        {lostConnection ? <strong>{t('notice.connectionLost')}</strong> : null}
        {hint ? `${message}${/[.!?]$/.test(message) ? '' : '.'} ${hint}` : message}
      </p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          {t('common.tryAgain')}
        </button>
      ) : null}
    </div>
  );
}

function retryHint(error: ApiError): string | null {
  const seconds = error.retryAfterSeconds ?? (typeof error.details.retryAfterSeconds === 'number' ? error.details.retryAfterSeconds : null);
  if (seconds === null) return null;
  return seconds < 90 ? translate('notice.retryInSeconds', { count: seconds }) : translate('notice.retryInMinutes', { count: Math.ceil(seconds / 60) });
}

/** What a change did, said where the form is: a polite live region, as the screens' other confirmations. */
export function SuccessNotice({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="notice notice-success" role="status">
      {message}
    </p>
  );
}

export function PendingNotice({ commandId }: { commandId: string | null }) {
  const { t } = useTranslation();
  if (!commandId) return null;
  return (
    <div className="notice notice-pending" role="status">
      <p>
        <span className="spinner" aria-hidden="true" /> {t('notice.pending')}
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

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status">
      <span className="spinner" aria-hidden="true" /> {label ?? t('common.loading')}
    </p>
  );
}
