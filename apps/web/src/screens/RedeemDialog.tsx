import { useId, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { WalletResult } from '../api';
import { useCommand } from '../command';
import { Dialog } from '../components/Dialog';
import { CommandNotices } from '../components/Notice';
import { giftCardCodePattern, normalizeGiftCardCode, noteLengthMax, redeemGiftCardRequestSchema } from '@storecredit/contracts';
import { t as translate } from '../i18n';
import { formatMoney } from '../money';
import { balanceChanged } from '../queries';

/** The contract's code rule (giftCardCodePattern), with a hint at what is wrong with what was typed. */
function codeProblem(input: string): string | null {
  const code = normalizeGiftCardCode(input);
  if (code === '') return translate('redeem.enterCode');
  if (giftCardCodePattern.test(code)) return null;
  if (!/^[A-Z0-9]+$/.test(code)) return translate('redeem.codeCharacters');
  return translate('redeem.codeIncomplete');
}

export function RedeemDialog({ clientId, onClose }: { clientId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [note, setNote] = useState('');
  const [touched, setTouched] = useState(false);
  const [redeemed, setRedeemed] = useState<WalletResult | null>(null);
  const command = useCommand<WalletResult>(balanceChanged(clientId));
  const ids = { code: useId(), codeHelp: useId(), note: useId() };
  const problem = codeProblem(code);

  const apply = async () => {
    setTouched(true);
    if (problem !== null || command.busy) return;
    const body = redeemGiftCardRequestSchema.parse({ code: normalizeGiftCardCode(code), ...(note.trim() ? { note: note.trim() } : {}) });
    const result = await command.run(`/api/clients/${encodeURIComponent(clientId)}/gift-card-redemptions`, body);
    if (result) setRedeemed(result);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void apply();
  };

  if (redeemed) {
    return (
      <Dialog key="redeemed" title={t('redeem.redeemedTitle')} onClose={onClose}>
        <div className="dialog-form">
          <div className="notice notice-success" role="status">
            <p>
              <Trans
                t={t}
                i18nKey="redeem.redeemed"
                values={{ amount: formatMoney(redeemed.amount, redeemed.currency), balance: formatMoney(redeemed.balanceAfter, redeemed.currency) }}
                components={{ strong: <strong /> }}
              />
            </p>
          </div>
          <div className="dialog-actions">
            <button type="button" className="button button-primary" onClick={onClose} data-autofocus>
              {t('redeem.done')}
            </button>
          </div>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title={t('redeem.title')} onClose={onClose} busy={command.busy}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <div className="field">
          <label htmlFor={ids.code}>{t('redeem.code')}</label>
          <input
            id={ids.code}
            data-autofocus
            className="code-input"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            value={code}
            onChange={(e) => {
              setCode(e.target.value);
              command.formChanged();
            }}
            onBlur={() => setTouched(code !== '')}
            aria-invalid={touched && problem !== null}
            aria-describedby={ids.codeHelp}
          />
          <p id={ids.codeHelp} className={touched && problem ? 'field-error' : 'field-help'} aria-live="polite">
            {touched && problem ? problem : t('redeem.codeHelp')}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.note}>
            {t('common.note')} <span className="muted">{t('common.optional')}</span>
          </label>
          <textarea
            id={ids.note}
            rows={2}
            maxLength={noteLengthMax}
            value={note}
            onChange={(e) => {
              setNote(e.target.value);
              command.formChanged();
            }}
          />
        </div>
        <CommandNotices command={command} onRetry={apply} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={command.busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={command.busy}>
            {command.busy ? t('redeem.busy') : t('redeem.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
