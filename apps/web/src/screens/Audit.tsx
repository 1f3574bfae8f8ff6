import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { auditActions, type AuditItem } from '@storecredit/contracts';
import { ErrorNotice, Loading } from '../components/Notice';
import { auditActionLabel, auditSummary, formatDateTime } from '../labels';
import { allItems, auditQuery } from '../queries';
import { useSession } from '../session';

/** Who did what outside the ledger, newest first (owners: audit.view). */
export function Audit() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [action, setAction] = useState('');
  const list = useInfiniteQuery({ ...auditQuery({ action }), enabled: can('audit.view'), placeholderData: keepPreviousData });
  if (!can('audit.view')) {
    return (
      <>
        <h1 tabIndex={-1}>{t('audit.title')}</h1>
        <p>{t('audit.cannotView')}</p>
      </>
    );
  }
  const items: AuditItem[] = allItems(list.data?.pages);
  // The column names label each cell too: on a phone the table is a list of cards (styles.css shows data-label).
  const column = {
    when: t('audit.column.when'),
    who: t('audit.column.who'),
    what: t('audit.column.what'),
    from: t('audit.column.from'),
  };
  return (
    <>
      <h1 tabIndex={-1}>{t('audit.title')}</h1>
      <section className="card card-list" aria-labelledby="audit-list-title">
        <h2 id="audit-list-title" className="visually-hidden">
          {t('audit.listTitle')}
        </h2>
        <p>{t('audit.intro')}</p>
        <div className="field-row">
          <div className="field">
            <label htmlFor="audit-action">{t('audit.action')}</label>
            <select id="audit-action" value={action} onChange={(e) => setAction(e.target.value)}>
              <option value="">{t('audit.allActions')}</option>
              {auditActions.map((value) => (
                <option key={value} value={value}>
                  {auditActionLabel(value)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <ErrorNotice error={list.error} onRetry={() => void (list.isFetchNextPageError ? list.fetchNextPage() : list.refetch())} />
        {list.isPending ? <Loading label={t('audit.loading')} /> : null}
        {list.isSuccess && !list.isPlaceholderData && items.length === 0 ? <p className="empty">{t('audit.none')}</p> : null}
        {items.length > 0 ? (
          <table className="cards-table audit-table">
            <thead>
              <tr>
                <th scope="col">{column.when}</th>
                <th scope="col">{column.who}</th>
                <th scope="col">{column.what}</th>
                <th scope="col">{column.from}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} data-action={item.action}>
                  <td data-label={column.when}>{formatDateTime(item.at)}</td>
                  <td data-label={column.who}>{item.actor.name ?? t('audit.nobody')}</td>
                  <td data-label={column.what}>
                    <strong>{auditActionLabel(item.action)}</strong>
                    {auditSummary(item) ? <span className="audit-details"> {auditSummary(item)}</span> : null}
                  </td>
                  <td data-label={column.from}>{item.address ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {list.hasNextPage && !list.isError ? (
          <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? t('common.loading') : t('audit.more')}
          </button>
        ) : null}
      </section>
    </>
  );
}
