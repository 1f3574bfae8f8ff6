import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { captureHoldRequestSchema, checkoutHoldRequestSchema, currenciesShownFor, releaseHoldRequestSchema } from '@storecredit/contracts';
import { ApiError, type Client, type Hold, type HoldResult, type HoldState, type Wallet, type WalletResult } from '../api';
import { useCommand, type CommandState } from '../command';
import { CommandNotices, ErrorNotice, Loading } from '../components/Notice';
import { useDebounced, useTimeLeft } from '../hooks';
import { formatTimeLeft } from '../labels';
import { useBusinessCurrencies } from '../currencies';
import { checkAmount, formatMoney, greaterThan, isPositive, paymentCap, subtract, toScale } from '../money';
import { t as translate } from '../i18n';
import { useSession } from '../session';
import { activeHoldsQuery, balanceChanged, balancesQuery, clientSearchQuery, holdsChanged } from '../queries';

export const clientMatchesShownMax = 6;

function newSaleId(): string {
  return `demo-sale-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

interface Paid {
  result: WalletResult;
  owed: string;
}

/** A hold placed for this sale: the ledger's answer and what was owed when it was placed. */
interface Held {
  result: HoldResult & { hold: HoldState };
  owed: string;
}

/** A hold that expired by the browser's clock, until the ledger's sweep has ended it too. */
interface Expiring {
  clientId: string;
  holdId: string;
  at: number;
}

/** After expiry the ledger's sweep releases the hold within seconds; its list is asked again this often, this long. */
export const expiredHoldPollMs = 2_000;
export const expiredHoldPollDurationMaxMs = 60_000;

/** Refusals that say the hold has ended already (expired, released elsewhere): the sale goes on without it. */
const holdEndedCodes = new Set(['hold_not_found', 'hold_expired', 'hold_already_released', 'hold_already_captured']);

function holdEnded(error: unknown): boolean {
  return error instanceof ApiError && holdEndedCodes.has(error.code);
}

/** The sale's client, total and currency as typed; the Cancel sale button. */
interface SaleFields {
  client: Client | null;
  total: string;
  currency: string;
}

/**
 * A demo sale: pick a client and a total; the Customer Balance tile applies part or all of it from store credit as a
 * hold (split-tender checkout), which completing the sale captures and removing the balance or cancelling releases.
 */
export function Checkout() {
  const { t } = useTranslation();
  const { can } = useSession();
  const settings = useBusinessCurrencies();
  // Until someone picks a currency, a sale is in the business's default (which may arrive after the screen opens).
  const [fields, setSale] = useState<Omit<SaleFields, 'currency'> & { currency: string | null }>({ client: null, total: '', currency: null });
  const sale: SaleFields = { ...fields, currency: fields.currency ?? settings.defaultCurrency };
  const [saleId, setSaleId] = useState(newSaleId);
  const [notice, setNotice] = useState<string | null>(null);
  const [focusClient, setFocusClient] = useState(false);
  const hold = useSaleHold(sale.client, setNotice);
  const totalCheck = checkAmount(sale.total, sale.currency);
  const owed = totalCheck.ok ? totalCheck.value : null;

  // The ledger knows a sale by its id, with one client, currency and amount (sale_mismatch otherwise): a sale changed
  // after a hold on it ended (balance removed, hold expired) goes on under a new id.
  const terms = sale.client && owed ? `${sale.client.id}/${sale.currency}/${owed}` : null;
  const [heldTerms, setHeldTerms] = useState<string | null>(null);
  useEffect(() => {
    if (heldTerms === null || terms === heldTerms) return;
    setSaleId(newSaleId());
    setHeldTerms(null);
  }, [terms, heldTerms]);

  const newSale = () => {
    setSale((current) => ({ ...current, client: null, total: '' }));
    hold.reset();
    setSaleId(newSaleId());
    setHeldTerms(null);
  };

  const cancelSale = async () => {
    const released = await hold.releaseForCancel();
    if (released === null) return;
    setNotice(released ? t('checkout.cancelled', { amount: released }) : t('checkout.cancelledNoHold'));
    newSale();
    setFocusClient(true);
  };

  if (!can('balance.view')) {
    return (
      <>
        <h1 tabIndex={-1}>{t('checkout.title')}</h1>
        <p>{t('checkout.cannotView')}</p>
      </>
    );
  }

  return (
    <>
      <h1 tabIndex={-1}>{t('checkout.title')}</h1>
      <p className="muted">{t('checkout.intro', { saleId })}</p>
      {notice ? (
        <p className="notice notice-info" role="status">
          {notice}
        </p>
      ) : null}
      <div className="checkout">
        <SaleCard
          sale={sale}
          locked={hold.held !== null || hold.paid !== null}
          cancellable={!hold.paid && (sale.client !== null || sale.total !== '')}
          busy={hold.busy}
          cancelling={hold.held !== null && hold.release.busy}
          focusClient={focusClient}
          onClientFocused={() => setFocusClient(false)}
          onChange={(next) => {
            if (next.client !== sale.client) setNotice(null);
            setSale(next);
          }}
          onCancel={cancelSale}
        />
        {hold.paid ? (
          <Receipt paid={hold.paid} onNewSale={newSale} />
        ) : hold.held ? (
          <HeldTile held={hold.held} capture={hold.capture} release={hold.release} onComplete={hold.complete} onRemove={hold.remove} onExpired={hold.expired} />
        ) : sale.client && owed ? (
          <BalancePayment
            key={sale.client.id}
            client={sale.client}
            currency={sale.currency}
            owed={owed}
            saleId={saleId}
            focusOnMount={notice !== null}
            onHeld={(next) => {
              setNotice(null);
              setHeldTerms(terms);
              hold.placed(next);
            }}
          />
        ) : null}
      </div>
    </>
  );
}

interface SaleCardProps {
  sale: SaleFields;
  locked: boolean;
  cancellable: boolean;
  busy: boolean;
  cancelling: boolean;
  focusClient: boolean;
  onClientFocused: () => void;
  onChange: (next: SaleFields) => void;
  onCancel: () => void;
}

/** The sale's client, total and currency (locked while balance is held or paid for it), and Cancel sale. */
function SaleCard({ sale, locked, cancellable, busy, cancelling, focusClient, onClientFocused, onChange, onCancel }: SaleCardProps) {
  const { t } = useTranslation();
  const ids = { total: useId(), totalHelp: useId(), currency: useId() };
  const clientInput = useRef<HTMLInputElement>(null);
  const totalCheck = checkAmount(sale.total, sale.currency);
  const totalProblem = sale.total !== '' && !totalCheck.ok ? totalCheck.message : null;
  // A sale is paid in an accepted currency, or in one the client still holds credit in (their money stays spendable).
  const settings = useBusinessCurrencies();
  const wallets = useQuery({ ...balancesQuery(sale.client?.id ?? ''), enabled: sale.client !== null });
  const held = (wallets.data ?? []).filter((w) => w.hasBalance).map((w) => w.currency);
  const saleCurrencies = currenciesShownFor(settings, [...held, sale.currency]);

  // A cancelled sale hands focus to the next one's client search (the button that had it is gone).
  useEffect(() => {
    if (!focusClient) return;
    clientInput.current?.focus();
    onClientFocused();
  }, [focusClient]);

  return (
    <section className="card" aria-labelledby="sale-title">
      <h2 id="sale-title">{t('checkout.sale')}</h2>
      <ClientPicker client={sale.client} inputRef={clientInput} onPick={(client) => onChange({ ...sale, client })} disabled={locked} />
      <div className="field-row">
        <div className="field field-amount">
          <label htmlFor={ids.total}>{t('checkout.total')}</label>
          <input
            id={ids.total}
            inputMode="decimal"
            autoComplete="off"
            value={sale.total}
            disabled={locked}
            onChange={(e) => onChange({ ...sale, total: e.target.value })}
            aria-invalid={totalProblem !== null}
            aria-describedby={ids.totalHelp}
          />
          <p id={ids.totalHelp} className={totalProblem ? 'field-error' : 'field-help'} aria-live="polite">
            {totalProblem ?? t('checkout.totalHelp')}
          </p>
        </div>
        <div className="field field-currency">
          <label htmlFor={ids.currency}>{t('common.currency')}</label>
          <select id={ids.currency} value={sale.currency} disabled={locked} onChange={(e) => onChange({ ...sale, currency: e.target.value })}>
            {saleCurrencies.map((code) => (
              <option key={code}>{code}</option>
            ))}
          </select>
        </div>
      </div>
      {cancellable ? (
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {cancelling ? t('checkout.cancelling') : t('checkout.cancelSale')}
        </button>
      ) : null}
    </section>
  );
}

/**
 * The hold placed for the sale and how it ends: captured when the sale completes (the receipt), released when the
 * balance is removed or the sale cancelled, or over when it runs out. Each write keeps the Idempotency-Key discipline
 * of useCommand, and the client's balances, entries and holds are fetched again after it.
 */
function useSaleHold(client: Client | null, say: (notice: string) => void) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [held, setHeld] = useState<Held | null>(null);
  const [paid, setPaid] = useState<Paid | null>(null);
  const [expiring, setExpiring] = useState<Expiring | null>(null);
  const invalidates = client ? holdsChanged(client.id) : [];
  const capture = useCommand<HoldResult>(invalidates);
  const release = useCommand<HoldResult>(invalidates);
  const busy = capture.busy || release.busy;
  const heldAmount = held ? formatMoney(held.result.hold.amount, held.result.currency) : '';
  const holdPath = (end: 'capture' | 'release') => `/api/checkout/holds/${encodeURIComponent(held?.result.hold.holdId ?? '')}/${end}`;
  useExpiredHoldSettles(expiring, () => setExpiring(null));

  // Whatever ends the hold other than this page's own commands (expiry, another desk), the client is fetched again.
  const refetchClient = () => {
    for (const queryKey of invalidates) void queryClient.invalidateQueries({ queryKey });
  };

  const releaseHeld = async (): Promise<boolean> =>
    held !== null && !busy && (await release.run(holdPath('release'), releaseHoldRequestSchema.parse({}))) !== null;

  // A refusal that says the hold has ended already (expired, released at another desk) ends it here too.
  const endedElsewhere = holdEnded(capture.error) || holdEnded(release.error);
  const capturedElsewhere = [capture.error, release.error].some((error) => error instanceof ApiError && error.code === 'hold_already_captured');
  useEffect(() => {
    if (!endedElsewhere || !held) return;
    say(t(capturedElsewhere ? 'checkout.holdCapturedElsewhere' : 'checkout.holdEnded'));
    setHeld(null);
    refetchClient();
  }, [endedElsewhere]);

  return {
    held,
    paid,
    capture,
    release,
    busy,
    placed: (next: Held) => {
      // A new hold starts with new keys and no failure left from the last one.
      capture.formChanged();
      release.formChanged();
      setHeld(next);
    },
    complete: async () => {
      if (!held || busy) return;
      const result = await capture.run(holdPath('capture'), captureHoldRequestSchema.parse({}));
      if (!result) return;
      setPaid({ result, owed: held.owed });
      setHeld(null);
    },
    remove: async () => {
      if (!(await releaseHeld())) return;
      say(t('checkout.removed', { amount: heldAmount }));
      setHeld(null);
    },
    /** The amount it released (formatted), "" with no hold to release, null when the release failed. */
    releaseForCancel: async (): Promise<string | null> => {
      if (!held) return '';
      return (await releaseHeld()) ? heldAmount : null;
    },
    expired: () => {
      if (!held || !client) return;
      say(t('checkout.expired', { amount: heldAmount }));
      setExpiring({ clientId: client.id, holdId: held.result.hold.holdId, at: Date.now() });
      setHeld(null);
      refetchClient();
    },
    reset: () => {
      setHeld(null);
      setPaid(null);
    },
  };
}

/**
 * Once a hold has expired by the browser's clock, its list is asked again every few seconds (for a minute at most)
 * until the ledger's sweep has ended it, and then the balances, whose available amount the sweep gives back.
 */
function useExpiredHoldSettles(expiring: Expiring | null, onSettled: () => void): void {
  const queryClient = useQueryClient();
  const stillActive = (items: Hold[] | undefined) => items?.some((hold) => hold.holdId === expiring?.holdId) ?? true;
  const holds = useQuery({
    ...activeHoldsQuery(expiring?.clientId ?? ''),
    enabled: expiring !== null,
    refetchInterval: (query) =>
      expiring && stillActive(query.state.data) && Date.now() - expiring.at < expiredHoldPollDurationMaxMs ? expiredHoldPollMs : false,
  });
  const settled = expiring !== null && holds.dataUpdatedAt > expiring.at && !stillActive(holds.data);
  useEffect(() => {
    if (!settled || !expiring) return;
    for (const queryKey of balanceChanged(expiring.clientId)) void queryClient.invalidateQueries({ queryKey });
    onSettled();
  }, [settled]);
}

function ClientPicker({
  client,
  inputRef,
  onPick,
  disabled,
}: {
  client: Client | null;
  inputRef: RefObject<HTMLInputElement | null>;
  onPick: (client: Client | null) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 250);
  const matches = useInfiniteQuery({ ...clientSearchQuery(q), enabled: q !== '', placeholderData: keepPreviousData });
  if (client) {
    return (
      <div className="picked-client">
        <span>
          <Trans t={t} i18nKey="checkout.picked" values={{ name: client.name }} components={{ strong: <strong /> }} />
        </span>
        {disabled ? null : (
          <button type="button" className="button button-quiet" onClick={() => onPick(null)}>
            {t('checkout.changeClient')}
          </button>
        )}
      </div>
    );
  }
  const found = q === '' ? [] : (matches.data?.pages[0]?.items.slice(0, clientMatchesShownMax) ?? []);
  return (
    <div className="field">
      <label htmlFor="checkout-client">{t('checkout.client')}</label>
      <input
        id="checkout-client"
        ref={inputRef}
        type="search"
        placeholder={t('checkout.clientPlaceholder')}
        autoComplete="off"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <ErrorNotice error={matches.error} onRetry={() => void matches.refetch()} />
      {q !== '' && matches.isSuccess && !matches.isPlaceholderData && found.length === 0 ? <p className="muted">{t('checkout.noMatch')}</p> : null}
      {found.length > 0 ? (
        <ul className="picker-list" aria-label={t('checkout.matches')}>
          {found.map((match) => (
            <li key={match.id}>
              <button
                type="button"
                className="picker-option"
                onClick={() => {
                  setText('');
                  onPick(match);
                }}
              >
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

/** Moves focus to an element when it appears, if asked: a tile that replaces the one that had focus takes it over. */
function useFocusOnMount<T extends HTMLElement>(enabled: boolean): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (enabled) ref.current?.focus();
  }, []);
  return ref;
}

interface PaymentProps {
  client: Client;
  currency: string;
  owed: string;
  saleId: string;
  focusOnMount: boolean;
  onHeld: (held: Held) => void;
}

function BalancePayment({ client, currency, owed, saleId, focusOnMount, onHeld }: PaymentProps) {
  const { t } = useTranslation();
  const wallets = useQuery(balancesQuery(client.id));
  if (wallets.error) return <ErrorNotice error={wallets.error} onRetry={() => void wallets.refetch()} />;
  if (!wallets.data) return <Loading label={t('checkout.checkingBalance')} />;
  const wallet = wallets.data.find((w) => w.currency === currency && w.hasBalance);
  if (!wallet) {
    return (
      <p className="notice notice-info" role="status">
        {t('checkout.noCredit', { name: client.name, currency, amount: formatMoney(owed, currency) })}
      </p>
    );
  }
  if (!isPositive(wallet.available)) {
    return (
      <p className="notice notice-info" role="status">
        {t('checkout.allOnHold', { name: client.name, currency, held: formatMoney(wallet.held, currency), amount: formatMoney(owed, currency) })}
      </p>
    );
  }
  return <BalanceTile wallet={wallet} client={client} owed={owed} saleId={saleId} focusOnMount={focusOnMount} onHeld={onHeld} />;
}

function capReason(available: string, owed: string): string {
  if (available === owed) return translate('checkout.cappedAtBoth');
  return greaterThan(owed, available) ? translate('checkout.cappedAtBalance') : translate('checkout.cappedAtOwed');
}

interface TileProps {
  wallet: Wallet;
  client: Client;
  owed: string;
  saleId: string;
  focusOnMount: boolean;
  onHeld: (held: Held) => void;
}

/** The amount to apply, capped by what holds leave of the balance and by what is owed; applying it places a hold. */
function BalanceTile({ wallet, client, owed, saleId, focusOnMount, onHeld }: TileProps) {
  const { t } = useTranslation();
  const { can } = useSession();
  const currency = wallet.currency;
  const available = toScale(wallet.available, currency);
  const cap = paymentCap(available, owed, currency);
  const [applied, setApplied] = useState(cap);
  const [edited, setEdited] = useState(false);
  const [hint, setHint] = useState<string | null>(null);
  const [nothingHeld, setNothingHeld] = useState(false);
  const command = useCommand<HoldResult>(holdsChanged(client.id));
  const ids = { applied: useId(), help: useId() };
  const heading = useFocusOnMount<HTMLHeadingElement>(focusOnMount);

  // A new total (or a new available amount) moves the amount with it until the person types their own; theirs is still capped.
  useEffect(() => {
    setApplied((current) => {
      const check = checkAmount(current, currency);
      if (!edited || (check.ok && greaterThan(check.value, cap))) return cap;
      return current;
    });
    command.formChanged();
  }, [cap]);

  const check = checkAmount(applied, currency);
  const amount = check.ok ? check.value : null;

  const edit = (value: string) => {
    setEdited(true);
    setNothingHeld(false);
    command.formChanged();
    const typed = checkAmount(value, currency);
    if (typed.ok && greaterThan(typed.value, cap)) {
      setApplied(cap);
      setHint(capReason(available, owed));
    } else {
      setApplied(value);
      setHint(null);
    }
  };

  const hold = async () => {
    if (amount === null || command.busy) return;
    setNothingHeld(false);
    const body = checkoutHoldRequestSchema.parse({ clientId: client.id, currency, saleId, amountOwed: owed, amountRequested: amount, saleAmount: owed });
    const result = await command.run('/api/checkout/holds', body);
    if (!result) return;
    // Nothing available any more (spent or held at another desk since the balance was shown): no hold, nothing to undo.
    if (result.hold) onHeld({ result: { ...result, hold: result.hold }, owed });
    else setNothingHeld(true);
  };

  return (
    <section className="card balance-tile" aria-labelledby="tile-title">
      <h2 id="tile-title" ref={heading} tabIndex={-1}>
        {t('checkout.tile')}
      </h2>
      <dl className="tile-figures">
        <div>
          <dt>{t('checkout.available')}</dt>
          <dd className="amount-in">{formatMoney(available, currency)}</dd>
        </div>
        <div>
          <dt>{t('checkout.owed')}</dt>
          <dd>{formatMoney(owed, currency)}</dd>
        </div>
      </dl>
      <div className="field">
        <label htmlFor={ids.applied}>{t('checkout.apply', { currency })}</label>
        <input
          id={ids.applied}
          inputMode="decimal"
          autoComplete="off"
          value={applied}
          onChange={(e) => edit(e.target.value)}
          aria-invalid={!check.ok}
          aria-describedby={ids.help}
        />
        <p id={ids.help} className={!check.ok ? 'field-error' : 'field-help'} aria-live="polite">
          {!check.ok ? check.message : (hint ?? t('checkout.atMost', { amount: formatMoney(cap, currency) }))}
        </p>
      </div>
      <dl className="tile-figures">
        <div>
          <dt>{t('checkout.availableAfter')}</dt>
          <dd>{formatMoney(amount === null ? available : subtract(available, amount, currency), currency)}</dd>
        </div>
        <div>
          <dt>{t('checkout.stillToPay')}</dt>
          <dd>{formatMoney(amount === null ? owed : subtract(owed, amount, currency), currency)}</dd>
        </div>
      </dl>
      {nothingHeld ? (
        <p className="notice notice-info" role="status">
          {t('checkout.nothingHeld', { currency })}
        </p>
      ) : null}
      <CommandNotices command={command} onRetry={hold} />
      {can('checkout.pay') ? (
        <>
          <p className="field-help">{t('checkout.applyHelp')}</p>
          <button type="button" className="button button-primary button-block" onClick={hold} disabled={amount === null || command.busy}>
            {command.busy ? t('checkout.holding') : amount === null ? t('checkout.applyBalance') : t('checkout.applyAmount', { amount: formatMoney(amount, currency) })}
          </button>
        </>
      ) : (
        <p className="muted">{t('checkout.cannotPay')}</p>
      )}
    </section>
  );
}

interface HeldTileProps {
  held: Held;
  capture: CommandState;
  release: CommandState;
  onComplete: () => void;
  onRemove: () => void;
  onExpired: () => void;
}

/** The hold placed for this sale, the time left before it expires, and the two ways it ends at the till. */
function HeldTile({ held, capture, release, onComplete, onRemove, onExpired }: HeldTileProps) {
  const { t } = useTranslation();
  const { result, owed } = held;
  const currency = result.currency;
  const left = useTimeLeft(result.hold.expiresAt);
  const heading = useFocusOnMount<HTMLHeadingElement>(true);
  const timerLabel = useId();
  const busy = capture.busy || release.busy;
  const stillOwed = result.amountStillOwed ?? subtract(owed, result.hold.amount, currency);

  // At zero the hold is over: the ledger refuses a capture after expiresAt, even before its sweep has released it.
  useEffect(() => {
    if (left === 0 && !busy) onExpired();
  }, [left === 0, busy]);

  return (
    <section className="card balance-tile is-held" aria-labelledby="tile-title">
      <h2 id="tile-title" ref={heading} tabIndex={-1}>
        {t('checkout.onHold')}
      </h2>
      <p>
        <Trans t={t} i18nKey="checkout.heldStatus" values={{ amount: formatMoney(result.hold.amount, currency) }} components={{ strong: <strong /> }} />
      </p>
      <dl className="tile-figures">
        <div>
          <dt id={timerLabel}>{t('checkout.timeLeft')}</dt>
          <dd>
            <span role="timer" aria-labelledby={timerLabel} className="hold-countdown">
              {formatTimeLeft(left ?? 0)}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('checkout.stillToPay')}</dt>
          <dd>{formatMoney(stillOwed, currency)}</dd>
        </div>
        <div>
          <dt>{t('checkout.availableNow')}</dt>
          <dd>{formatMoney(result.available, currency)}</dd>
        </div>
      </dl>
      <CommandNotices command={capture} onRetry={onComplete} />
      <CommandNotices command={release} onRetry={onRemove} />
      <div className="tile-actions">
        <button type="button" className="button button-primary" onClick={onComplete} disabled={busy}>
          {capture.busy ? t('checkout.completing') : t('checkout.complete')}
        </button>
        <button type="button" className="button" onClick={onRemove} disabled={busy}>
          {release.busy ? t('checkout.removing') : t('checkout.remove')}
        </button>
      </div>
    </section>
  );
}

function Receipt({ paid, onNewSale }: { paid: Paid; onNewSale: () => void }) {
  const { t } = useTranslation();
  const { result } = paid;
  const heading = useFocusOnMount<HTMLHeadingElement>(true);
  const stillOwed = result.amountStillOwed ?? subtract(paid.owed, result.amount, result.currency);
  return (
    <section className="card receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title" ref={heading} tabIndex={-1}>
        {t('checkout.paymentTaken')}
      </h2>
      <p role="status">
        <Trans t={t} i18nKey="checkout.paid" values={{ amount: formatMoney(result.amount, result.currency) }} components={{ strong: <strong /> }} />
      </p>
      <dl className="tile-figures">
        <div>
          <dt>{t('checkout.remainingDue')}</dt>
          <dd className="remaining-due">{formatMoney(stillOwed, result.currency)}</dd>
        </div>
        <div>
          <dt>{t('checkout.balanceNow')}</dt>
          <dd>{formatMoney(result.balanceAfter, result.currency)}</dd>
        </div>
      </dl>
      <button type="button" className="button" onClick={onNewSale}>
        {t('checkout.newSale')}
      </button>
    </section>
  );
}
