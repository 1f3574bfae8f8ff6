import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { releaseHoldRequestSchema } from '@storecredit/contracts';
import { ApiError, type Hold, type HoldResult } from '../api';
import { useCommand } from '../command';
import { Dialog } from '../components/Dialog';
import { CommandNotices, ErrorNotice, SuccessNotice } from '../components/Notice';
import { useTimeLeft } from '../hooks';
import { formatDateTime, formatTimeLeft } from '../labels';
import { formatMoney } from '../money';
import { activeHoldsQuery, holdsChanged } from '../queries';

/**
 * A client's active holds (balance reserved at checkout), each with Release, for staff who may take payments (the
 * profile shows it only to them: the gateway asks for checkout.pay). Nothing is shown while there are none.
 */
export function ActiveHolds({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const holds = useQuery(activeHoldsQuery(clientId));
  const [releasing, setReleasing] = useState<Hold | null>(null);
  const [released, setReleased] = useState<string | null>(null);
  const items = holds.data ?? [];
  // Shown while there is something to say: a hold, a failed load, a release just done, or a release still open.
  if (items.length === 0 && !holds.error && !released && !releasing) return null;
  return (
    <section aria-labelledby="holds-title" className="holds">
      <h2 id="holds-title">{t('holds.title')}</h2>
      <p className="muted">{t('holds.intro')}</p>
      <ErrorNotice error={holds.error} onRetry={() => void holds.refetch()} />
      <SuccessNotice message={released} />
      {items.length > 0 ? (
        <ul className="entry-list" aria-busy={holds.isFetching}>
          {items.map((hold) => (
            <HoldRow
              key={hold.holdId}
              hold={hold}
              onRelease={() => {
                setReleased(null);
                setReleasing(hold);
              }}
            />
          ))}
        </ul>
      ) : null}
      {releasing ? (
        <ReleaseHoldDialog
          clientId={clientId}
          hold={releasing}
          onClose={() => setReleasing(null)}
          onReleased={(result) => {
            setReleasing(null);
            setReleased(t('holds.released', { amount: formatMoney(result.hold?.amount ?? releasing.amount, releasing.currency) }));
          }}
        />
      ) : null}
    </section>
  );
}

function HoldRow({ hold, onRelease }: { hold: Hold; onRelease: () => void }) {
  const { t } = useTranslation();
  const left = useTimeLeft(hold.expiresAt);
  const amount = formatMoney(hold.amount, hold.currency);
  return (
    <li className="entry-row hold-row">
      <span className="entry-main">
        <span className="entry-type">{t('holds.forSale', { saleId: hold.saleId })}</span>
        <span className="muted">
          <time dateTime={hold.expiresAt}>{t('holds.expiresAt', { time: formatDateTime(hold.expiresAt) })}</time>
          {left !== null && left > 0 ? ` · ${t('holds.timeLeft', { time: formatTimeLeft(left) })}` : ''}
        </span>
      </span>
      <span className="hold-end">
        <span className="entry-amount amount-held">{amount}</span>
        <button type="button" className="button" onClick={onRelease} aria-label={t('holds.releaseOne', { amount, saleId: hold.saleId })}>
          {t('holds.release')}
        </button>
      </span>
    </li>
  );
}

/** A hold that has already ended elsewhere (captured at the till, expired) is refused: the list is fetched again. */
const holdEndedCodes = new Set(['hold_not_found', 'hold_expired', 'hold_already_captured', 'hold_already_released']);

function ReleaseHoldDialog({ clientId, hold, onClose, onReleased }: { clientId: string; hold: Hold; onClose: () => void; onReleased: (result: HoldResult) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const command = useCommand<HoldResult>(holdsChanged(clientId));
  const amount = formatMoney(hold.amount, hold.currency);
  const confirm = async () => {
    if (command.busy) return;
    const result = await command.run(`/api/checkout/holds/${encodeURIComponent(hold.holdId)}/release`, releaseHoldRequestSchema.parse({}));
    if (result) onReleased(result);
  };
  const ended = command.error instanceof ApiError && holdEndedCodes.has(command.error.code);
  useEffect(() => {
    if (ended) for (const queryKey of holdsChanged(clientId)) void queryClient.invalidateQueries({ queryKey });
  }, [ended, clientId, queryClient]);
  return (
    <Dialog title={t('holds.releaseTitle', { amount })} onClose={onClose} busy={command.busy}>
      <div className="dialog-form">
        <p>
          <Trans t={t} i18nKey="holds.releaseWarning" values={{ amount, saleId: hold.saleId }} components={{ strong: <strong /> }} />
        </p>
        <CommandNotices command={command} onRetry={confirm} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={command.busy} data-autofocus>
            {ended ? t('common.close') : t('holds.keep')}
          </button>
          {ended ? null : (
            <button type="button" className="button button-danger" onClick={confirm} disabled={command.busy}>
              {command.busy ? t('holds.releasing') : t('holds.confirmRelease')}
            </button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
