import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { referenceIdSchema, refundRequestSchema } from '@storecredit/contracts';
import { useId, useRef, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { ApiError, newIdempotencyKey, type BalancePayment, type Client, type Page, type Sale, type WalletResult } from '../api';
import { useCommand } from '../command';
import { Dialog } from '../components/Dialog';
import { CommandNotices, ErrorNotice, Loading } from '../components/Notice';
import { useDebounced } from '../hooks';
import { formatDateTime } from '../labels';
import { checkAmount, checkAtMost, formatMoney, isPositive } from '../money';
import { clientQuery, clientSearchQuery, paymentsQuery, refundChanged, saleQuery } from '../queries';
import { actorLabel, useSession } from '../session';

export const clientMatchesShownMax = 6;

/** What a refund returns: one balance payment, or a sale (its card part first, then its balance payments). */
type Target = { kind: 'payment'; payment: BalancePayment } | { kind: 'sale'; sale: Sale };

interface Props {
  clientId?: string;
  saleId?: string;
  onSearch: (next: { clientId?: string; saleId?: string }) => void;
}

/**
 * Refunds into balance: find a sale by its id or pick a client's balance payment, see what is still refundable (the
 * ledger's own figure, from the gateway), and refund part or all of it. The ledger decides; this screen only keeps a
 * person from asking for more than it showed, and never sends one refund twice.
 */
export function Refunds({ clientId, saleId, onSearch }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const [target, setTarget] = useState<Target | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const queryClient = useQueryClient();

  if (!session.can('refund.credit')) {
    return (
      <>
        <h1 tabIndex={-1}>{t('refunds.title')}</h1>
        <p>{t('refunds.cannotRefund')}</p>
      </>
    );
  }

  const open = (next: Target) => {
    setDone(null);
    setTarget(next);
  };

  return (
    <>
      <h1 tabIndex={-1}>{t('refunds.title')}</h1>
      <p className="muted">{t('refunds.intro')}</p>
      {done ? (
        <p className="notice notice-info" role="status">
          {done}
        </p>
      ) : null}
      <SaleFinder saleId={saleId} onFind={(next) => onSearch({ clientId, saleId: next })} onRefund={open} />
      <ClientPayments clientId={clientId} onPick={(next) => onSearch({ saleId, clientId: next })} onRefund={open} />
      {target ? (
        <RefundDialog
          target={target}
          onClose={() => {
            setTarget(null);
            // A refusal (another desk refunded first) means the figures shown are out of date: fetch them again.
            for (const queryKey of refundChanged(target.kind === 'payment' ? target.payment.clientId : target.sale.clientId)) void queryClient.invalidateQueries({ queryKey });
          }}
          onApplied={(result) => {
            setTarget(null);
            setDone(t('refunds.done', { amount: formatMoney(result.amount, result.currency), balance: formatMoney(result.balanceAfter, result.currency) }));
          }}
        />
      ) : null}
    </>
  );
}

function SaleFinder({ saleId, onFind, onRefund }: { saleId?: string; onFind: (saleId: string | undefined) => void; onRefund: (target: Target) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(saleId ?? '');
  const [tried, setTried] = useState(false);
  const ids = { input: useId(), help: useId() };
  const typed = text.trim();
  const valid = referenceIdSchema.safeParse(typed).success;
  const problem = tried && !valid;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (valid) onFind(typed);
  };
  return (
    <section className="card" aria-labelledby="find-sale-title">
      <h2 id="find-sale-title">{t('refunds.findSale')}</h2>
      <form onSubmit={submit} noValidate className="field-row">
        <div className="field">
          <label htmlFor={ids.input}>{t('refunds.saleId')}</label>
          <input
            id={ids.input}
            type="search"
            autoComplete="off"
            value={text}
            onChange={(event) => setText(event.target.value)}
            aria-invalid={problem}
            aria-describedby={ids.help}
          />
          <p id={ids.help} className={problem ? 'field-error' : 'field-help'}>
            {problem ? t('refunds.saleIdProblem') : t('refunds.saleIdHelp')}
          </p>
        </div>
        <div className="field">
          <button type="submit" className="button">
            {t('refunds.find')}
          </button>
        </div>
      </form>
      {saleId ? <SaleFigures saleId={saleId} onRefund={onRefund} /> : null}
    </section>
  );
}

function SaleFigures({ saleId, onRefund }: { saleId: string; onRefund: (target: Target) => void }) {
  const { t } = useTranslation();
  const sale = useQuery(saleQuery(saleId));
  if (sale.isPending) return <Loading label={t('refunds.loadingSale')} />;
  if (sale.isError) {
    if (sale.error instanceof ApiError && sale.error.status === 404) return <p className="empty">{t('refunds.saleNotFound', { saleId })}</p>;
    return <ErrorNotice error={sale.error} onRetry={() => void sale.refetch()} />;
  }
  const { data } = sale;
  const money = (amount: string) => formatMoney(amount, data.currency);
  return (
    <div className="refund-sale" data-sale-id={data.saleId}>
      <h3>{t('refunds.sale', { saleId: data.saleId })}</h3>
      <dl className="tile-figures">
        <div>
          <dt>{t('refunds.saleAmount')}</dt>
          <dd>{money(data.amount)}</dd>
        </div>
        <div>
          <dt>{t('refunds.paidWithBalance')}</dt>
          <dd>{money(data.paidWithBalance)}</dd>
        </div>
        <div>
          <dt>{t('refunds.refunded')}</dt>
          <dd>{money(data.refunded)}</dd>
        </div>
        <div>
          <dt>{t('refunds.refundable')}</dt>
          <dd data-figure="sale-refundable">{money(data.refundable)}</dd>
        </div>
      </dl>
      {isPositive(data.refundable) ? (
        <button type="button" className="button button-primary" onClick={() => onRefund({ kind: 'sale', sale: data })}>
          {t('refunds.refundSale')}
        </button>
      ) : (
        <p className="muted">{t('refunds.nothingRefundable')}</p>
      )}
      {data.payments.length > 0 ? <PaymentTable payments={data.payments} onRefund={onRefund} /> : null}
    </div>
  );
}

function ClientPayments({ clientId, onPick, onRefund }: { clientId?: string; onPick: (clientId: string | undefined) => void; onRefund: (target: Target) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  // Looking a client up by name needs balance.view; without it, a client comes from their profile's link.
  const client = useQuery({ ...clientQuery(clientId ?? ''), enabled: clientId !== undefined && session.can('balance.view') });
  return (
    <section className="card" aria-labelledby="client-payments-title">
      <h2 id="client-payments-title">{t('refunds.clientPayments')}</h2>
      {clientId ? (
        <div className="picked-client">
          <span>
            <Trans t={t} i18nKey="refunds.paymentsOf" values={{ name: client.data?.name ?? clientId }} components={{ strong: <strong /> }} />
          </span>
          {session.can('balance.view') ? (
            <button type="button" className="button button-quiet" onClick={() => onPick(undefined)}>
              {t('refunds.changeClient')}
            </button>
          ) : null}
        </div>
      ) : session.can('balance.view') ? (
        <ClientSearch onPick={(picked) => onPick(picked.id)} />
      ) : null}
      {clientId ? <PaymentList clientId={clientId} onRefund={onRefund} /> : null}
    </section>
  );
}

function ClientSearch({ onPick }: { onPick: (client: Client) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 250);
  const matches = useInfiniteQuery({ ...clientSearchQuery(q), enabled: q !== '', placeholderData: keepPreviousData });
  const found = q === '' ? [] : (matches.data?.pages[0]?.items.slice(0, clientMatchesShownMax) ?? []);
  return (
    <div className="field">
      <label htmlFor="refund-client">{t('refunds.pickClient')}</label>
      <input id="refund-client" type="search" placeholder={t('refunds.clientPlaceholder')} autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
      <ErrorNotice error={matches.error} onRetry={() => void matches.refetch()} />
      {q !== '' && matches.isSuccess && !matches.isPlaceholderData && found.length === 0 ? <p className="muted">{t('refunds.noMatch')}</p> : null}
      {found.length > 0 ? (
        <ul className="picker-list" aria-label={t('refunds.matches')}>
          {found.map((match) => (
            <li key={match.id}>
              <button type="button" className="picker-option" onClick={() => onPick(match)}>
                <span className="client-name">{match.name}</span>
                <span className="client-contact">{[match.phone, match.email].filter(Boolean).join(' · ')}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function PaymentList({ clientId, onRefund }: { clientId: string; onRefund: (target: Target) => void }) {
  const { t } = useTranslation();
  const list = useInfiniteQuery(paymentsQuery(clientId));
  const payments = (list.data?.pages ?? []).flatMap((page: Page<BalancePayment>) => page.items);
  return (
    <>
      <ErrorNotice error={list.error} onRetry={() => void (list.isFetchNextPageError ? list.fetchNextPage() : list.refetch())} />
      {list.isPending ? <Loading label={t('refunds.loadingPayments')} /> : null}
      {list.isSuccess && payments.length === 0 ? <p className="empty">{t('refunds.noPayments')}</p> : null}
      {payments.length > 0 ? <PaymentTable payments={payments} onRefund={onRefund} /> : null}
      {list.hasNextPage ? (
        <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {t('refunds.more')}
        </button>
      ) : null}
    </>
  );
}

function PaymentTable({ payments, onRefund }: { payments: BalancePayment[]; onRefund: (target: Target) => void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  // The column names label each cell too: on a phone the table is a list of cards (styles.css shows data-label).
  const column = {
    date: t('refunds.column.date'),
    sale: t('refunds.column.sale'),
    kind: t('refunds.column.kind'),
    applied: t('refunds.column.applied'),
    refunded: t('refunds.column.refunded'),
    refundable: t('refunds.column.refundable'),
    who: t('refunds.column.who'),
    actions: t('refunds.column.actions'),
  };
  return (
    <table className="cards-table refunds-table">
      <thead>
        <tr>
          <th scope="col">{column.date}</th>
          <th scope="col">{column.sale}</th>
          <th scope="col">{column.kind}</th>
          <th scope="col" className="numeric">
            {column.applied}
          </th>
          <th scope="col" className="numeric">
            {column.refunded}
          </th>
          <th scope="col" className="numeric">
            {column.refundable}
          </th>
          <th scope="col">{column.who}</th>
          <th scope="col">
            <span className="visually-hidden">{column.actions}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {payments.map((payment) => (
          <tr key={payment.paymentCommandId} data-payment={payment.paymentCommandId}>
            <td data-label={column.date}>{formatDateTime(payment.createdAt)}</td>
            <td data-label={column.sale}>{payment.saleId}</td>
            <td data-label={column.kind}>{t(`refunds.kind.${payment.kind}`)}</td>
            <td data-label={column.applied} className="numeric">
              {formatMoney(payment.amountApplied, payment.currency)}
            </td>
            <td data-label={column.refunded} className="numeric">
              {formatMoney(payment.amountRefunded, payment.currency)}
            </td>
            <td data-label={column.refundable} className="numeric" data-figure="refundable">
              {formatMoney(payment.refundable, payment.currency)}
            </td>
            <td data-label={column.who}>{payment.actor === null ? '' : actorLabel({ actor: payment.actor, actorName: payment.actorName }, me)}</td>
            <td data-label="">
              {isPositive(payment.refundable) ? (
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => onRefund({ kind: 'payment', payment })}
                  aria-label={t('refunds.refundPayment', { saleId: payment.saleId })}
                >
                  {t('refunds.refund')}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A new refund id for each refund a person starts: with the command's Idempotency-Key, a retry or double click refunds once. */
function newRefundId(): string {
  return `web-${newIdempotencyKey()}`;
}

function RefundDialog({ target, onClose, onApplied }: { target: Target; onClose: () => void; onApplied: (result: WalletResult) => void }) {
  const { t } = useTranslation();
  const figures = target.kind === 'payment' ? target.payment : target.sale;
  const { clientId, currency, refundable } = figures;
  const [amount, setAmount] = useState(refundable);
  const [tried, setTried] = useState(false);
  // One refund id for this dialog, whatever is retried or changed in it: the ledger applies a refund id at most once
  // (a second try of another amount under it is refused refund_conflict), so this dialog can never refund twice.
  const refundId = useRef(newRefundId()).current;
  const command = useCommand<WalletResult>(refundChanged(clientId));
  const ids = { amount: useId(), help: useId() };
  const money = (value: string) => formatMoney(value, currency);
  const check = checkAtMost(checkAmount(amount, currency), refundable, () => t('refunds.moreThanRefundable', { amount: money(refundable) }));
  const of = target.kind === 'payment' ? { paymentCommandId: target.payment.paymentCommandId } : { saleId: target.sale.saleId, saleAmount: target.sale.amount };
  const body = check.ok ? refundRequestSchema.safeParse({ clientId, currency, refundId, amount: check.value, ...of }) : null;
  const problem = !check.ok;

  // A double click sends once: the second click comes before React has re-rendered the button as busy.
  const sending = useRef(false);
  const apply = async () => {
    setTried(true);
    if (!body?.success || command.busy || sending.current) return;
    sending.current = true;
    try {
      const result = await command.run('/api/refunds', body.data);
      if (result) onApplied(result);
    } finally {
      sending.current = false;
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void apply();
  };
  const applied = target.kind === 'payment' ? target.payment.amountApplied : target.sale.amount;
  const title = target.kind === 'payment' ? t('refunds.dialogPayment') : t('refunds.dialogSale', { saleId: target.sale.saleId });

  return (
    <Dialog title={title} onClose={onClose} busy={command.busy}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <p>
          <Trans
            t={t}
            i18nKey="refunds.summary"
            values={{ applied: money(applied), refunded: money(refundedOf(target)), refundable: money(refundable) }}
            components={{ strong: <strong /> }}
          />
        </p>
        <div className="field">
          <label htmlFor={ids.amount}>{t('refunds.amount', { currency })}</label>
          <input
            id={ids.amount}
            data-autofocus
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            onChange={(event) => {
              setAmount(event.target.value);
              command.formChanged();
            }}
            aria-invalid={problem}
            aria-describedby={ids.help}
          />
          <p id={ids.help} className={problem && (tried || amount !== '') ? 'field-error' : 'field-help'} aria-live="polite">
            {!check.ok && (tried || amount !== '') ? check.message : t('refunds.amountHelp', { amount: money(refundable) })}
          </p>
        </div>
        <CommandNotices command={command} onRetry={apply} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={command.busy}>
            {t('refunds.keep')}
          </button>
          <button type="submit" className="button button-primary" disabled={command.busy || problem}>
            {command.busy ? t('refunds.busy') : check.ok ? t('refunds.confirm', { amount: money(check.value) }) : t('refunds.confirmAmount')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function refundedOf(target: Target): string {
  return target.kind === 'payment' ? target.payment.amountRefunded : target.sale.refunded;
}
