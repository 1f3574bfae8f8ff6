import { noteLengthMax, reverseEntryRequestSchema } from '@storecredit/contracts';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Entry, WalletResult } from '../api';
import { useCommand } from '../command';
import { Dialog } from '../components/Dialog';
import { CommandNotices } from '../components/Notice';
import { entryTypeLabel, formatDateTime } from '../labels';
import { formatMoney } from '../money';
import { balanceChanged } from '../queries';

interface Props {
  clientId: string;
  entry: Entry;
  onClose: () => void;
  onApplied: (result: WalletResult) => void;
}

/**
 * Undoes a staff add or deduct, with the reason for the history. Whether it can be undone is the ledger's to say: a
 * spent add is refused (lot_consumed), a second reversal too (entry_already_reversed); both are explained here.
 */
export function ReverseDialog({ clientId, entry, onClose, onApplied }: Props) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const command = useCommand<WalletResult>(balanceChanged(clientId));
  const ids = { note: useId(), help: useId() };
  const body = reverseEntryRequestSchema.safeParse({ currency: entry.currency, note });
  const problem = tried && !body.success;
  const words = { amount: formatMoney(entry.amount.replace(/^-/, ''), entry.currency), date: formatDateTime(entry.occurredAt) };

  const apply = async () => {
    setTried(true);
    if (!body.success || command.busy) return;
    const result = await command.run(`/api/clients/${encodeURIComponent(clientId)}/entries/${encodeURIComponent(entry.id)}/reverse`, body.data);
    if (result) onApplied(result);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void apply();
  };

  return (
    <Dialog title={t('reverse.title', { type: entryTypeLabel(entry.type) })} onClose={onClose} busy={command.busy}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <p>{entry.type === 'balance_added' ? t('reverse.addWarning', words) : t('reverse.deductWarning', words)}</p>
        <div className="field">
          <label htmlFor={ids.note}>{t('reverse.note')}</label>
          <textarea
            id={ids.note}
            data-autofocus
            rows={2}
            maxLength={noteLengthMax}
            value={note}
            onChange={(event) => {
              setNote(event.target.value);
              command.formChanged();
            }}
            aria-invalid={problem}
            aria-describedby={ids.help}
          />
          <p id={ids.help} className={problem ? 'field-error' : 'field-help'} aria-live="polite">
            {problem ? t('reverse.noteMissing') : t('reverse.noteHelp')}
          </p>
        </div>
        <CommandNotices command={command} onRetry={apply} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={command.busy}>
            {t('reverse.keep')}
          </button>
          <button type="submit" className="button button-danger" disabled={command.busy || problem}>
            {command.busy ? t('reverse.busy') : t('reverse.confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
