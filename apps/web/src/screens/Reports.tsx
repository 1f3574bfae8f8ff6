import { useQuery } from '@tanstack/react-query';
import { supportedCurrencies, type CurrencyLiability } from '@storecredit/contracts';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorNotice, Loading } from '../components/Notice';
import { formatDateTime, lotSourceLabel } from '../labels';
import { formatMoney } from '../money';
import { liabilityCsvPath, liabilityQuery, type ReportFilter } from '../queries';
import { useSession } from '../session';
import './reports.css';

/**
 * The owner's liability report (reports.view): outstanding credit by source, age and expiry, unredeemed gift cards,
 * breakage by month and the bonus's fate, as of the end of a chosen day. Loaded on demand (router.tsx: a lazy route),
 * so the charting library stays out of the main bundle.
 */
export function Reports({ filter, onFilter }: { filter: ReportFilter; onFilter: (next: ReportFilter) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const ids = { asOf: useId(), asOfHelp: useId(), currency: useId() };
  const allowed = session.can('reports.view');
  const report = useQuery({ ...liabilityQuery(filter), enabled: allowed });
  if (!allowed) {
    return (
      <>
        <h1 tabIndex={-1}>{t('reports.title')}</h1>
        <p className="notice notice-error">{t('reports.cannotView')}</p>
      </>
    );
  }
  const currencies = report.data?.currencies ?? [];
  return (
    <div className="reports">
      <h1 tabIndex={-1}>{t('reports.title')}</h1>
      <p className="muted">{t('reports.intro')}</p>
      <form className="report-controls" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.asOf}>{t('reports.asOf')}</label>
          <input id={ids.asOf} type="date" value={filter.asOf} aria-describedby={ids.asOfHelp} onChange={(e) => onFilter({ ...filter, asOf: e.target.value })} />
          <span id={ids.asOfHelp} className="field-help">
            {t('reports.asOfHelp')}
          </span>
        </div>
        <div className="field">
          <label htmlFor={ids.currency}>{t('reports.currency')}</label>
          <select id={ids.currency} value={filter.currency} onChange={(e) => onFilter({ ...filter, currency: e.target.value })}>
            <option value="">{t('reports.allCurrencies')}</option>
            {supportedCurrencies.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </div>
        <a className="button" href={liabilityCsvPath(filter)} download>
          {t('reports.downloadCsv')}
        </a>
      </form>
      <ErrorNotice error={report.error} onRetry={() => void report.refetch()} />
      {report.isPending ? <Loading label={t('reports.loading')} /> : null}
      {report.data ? <p className="muted">{t('reports.asOfShown', { when: formatDateTime(report.data.asOf) })}</p> : null}
      {report.isSuccess && currencies.length === 0 ? <p className="empty">{t('reports.none')}</p> : null}
      {currencies.map((liability) => (
        <CurrencyReport key={liability.currency} liability={liability} />
      ))}
    </div>
  );
}

function CurrencyReport({ liability }: { liability: CurrencyLiability }) {
  const { t } = useTranslation();
  const { currency } = liability;
  const money = (amount: string) => formatMoney(amount, currency);
  const column = t('reports.column', { returnObjects: true });
  return (
    <section className="report-currency" data-currency={currency} aria-labelledby={`report-${currency}`}>
      <h2 id={`report-${currency}`}>
        {currency} · {t('reports.outstanding')}: <span className="report-total">{money(liability.outstanding)}</span>
      </h2>
      <p>{t('reports.giftCardsOutstanding', { count: liability.giftCards.count, amount: money(liability.giftCards.amount) })}</p>
      <LiabilityChart liability={liability} />
      <div className="report-tables">
        <AmountTable
          caption={t('reports.bySource')}
          head={column.source}
          rows={liability.bySource.map((row) => [lotSourceLabel(row.source), money(row.amount)])}
          total={money(liability.outstanding)}
        />
        <AmountTable
          caption={t('reports.byAge')}
          head={column.age}
          rows={liability.byAge.map((row) => [t(`reports.age.${row.bucket}`), money(row.amount)])}
          total={money(liability.outstanding)}
        />
        <AmountTable caption={t('reports.byExpiry')} head={column.expiry} rows={liability.byExpiry.map((row) => [t(`reports.expiry.${row.bucket}`), money(row.amount)])} />
        <AmountTable
          caption={t('reports.bonus')}
          head={column.what}
          rows={(['granted', 'consumed', 'expired', 'reversed', 'outstanding'] as const).map((key) => [t(`reports.bonusRow.${key}`), money(liability.bonus[key])])}
        />
        <table className="report-table">
          <caption>{t('reports.giftCards')}</caption>
          <thead>
            <tr>
              <th scope="col">{column.count}</th>
              <th scope="col" className="numeric">
                {column.amount}
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{liability.giftCards.count}</td>
              <td className="numeric">{money(liability.giftCards.amount)}</td>
            </tr>
          </tbody>
        </table>
        {liability.breakage.byMonth.length > 0 ? (
          <AmountTable
            caption={t('reports.breakage')}
            head={column.month}
            rows={liability.breakage.byMonth.map((row) => [`${row.month} · ${lotSourceLabel(row.source)}`, money(row.amount)])}
            total={money(liability.breakage.total)}
          />
        ) : (
          <p className="muted">{t('reports.noBreakage')}</p>
        )}
      </div>
    </section>
  );
}

function AmountTable({ caption, head, rows, total }: { caption: string; head: string; rows: [string, string][]; total?: string }) {
  const { t } = useTranslation();
  return (
    <table className="report-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" className="numeric">
            {t('reports.column.amount')}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, amount]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td className="numeric">{amount}</td>
          </tr>
        ))}
      </tbody>
      {total === undefined ? null : (
        <tfoot>
          <tr>
            <th scope="row">{t('reports.total')}</th>
            <td className="numeric">{total}</td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}

/**
 * Bars of the outstanding credit by source and by age. A bar's length is the one place an amount becomes a JS number:
 * geometry only; the figures a person reads (the tooltip, the tables) are the server's decimal strings.
 */
function LiabilityChart({ liability }: { liability: CurrencyLiability }) {
  const { t } = useTranslation();
  const bySource = liability.bySource.map((row) => ({ name: lotSourceLabel(row.source), amount: row.amount }));
  const byAge = liability.byAge.map((row) => ({ name: t(`reports.age.${row.bucket}`), amount: row.amount }));
  return (
    <figure className="report-chart">
      <figcaption>{t('reports.chartTitle')}</figcaption>
      <div className="report-chart-pair">
        <Bars title={t('reports.chartSource')} bars={bySource} currency={liability.currency} />
        <Bars title={t('reports.chartAge')} bars={byAge} currency={liability.currency} />
      </div>
    </figure>
  );
}

const chartHeightPx = 240;

function Bars({ title, bars, currency }: { title: string; bars: { name: string; amount: string }[]; currency: string }) {
  const data = bars.map((bar) => ({ ...bar, length: Number(bar.amount) }));
  return (
    <div className="report-bars">
      <p className="report-bars-title">{title}</p>
      <ResponsiveContainer width="100%" height={chartHeightPx}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 40, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" interval={0} angle={-35} textAnchor="end" tick={{ fontSize: 11 }} />
          <YAxis width={56} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(_value, _name, item) => [formatMoney((item.payload as { amount: string }).amount, currency), title]} />
          <Bar dataKey="length" fill="#2f6fb0" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
