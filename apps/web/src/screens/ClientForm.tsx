import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, patch, post, type Client } from '../api';
import { ErrorNotice, Loading } from '../components/Notice';
import { clientQuery, queryKeys } from '../queries';
import { Link, useNavigate } from '@tanstack/react-router';
import { useSession } from '../session';

interface Fields {
  name: string;
  phone: string;
  email: string;
  externalId: string;
}

const emptyFields: Fields = { name: '', phone: '', email: '', externalId: '' };

function fieldsOf(client: Client): Fields {
  return { name: client.name, phone: client.phone ?? '', email: client.email ?? '', externalId: client.externalId ?? '' };
}

/**
 * What is sent: a new client names only the fields filled in; an edit sends every field, an emptied one as null
 * (which clears it). Lengths and formats are the gateway's to check; its message is shown beside the form.
 */
function bodyOf(fields: Fields, editing: boolean): Record<string, string | null> {
  const body: Record<string, string | null> = { name: fields.name.trim() };
  for (const key of ['phone', 'email', 'externalId'] as const) {
    const value = fields[key].trim();
    if (value !== '') body[key] = value;
    else if (editing) body[key] = null;
  }
  return body;
}

/** "Add client" (no clientId) and "Edit client": name, phone, email and the host system's external id. */
export function ClientForm({ clientId }: { clientId?: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const editing = clientId !== undefined;
  const existing = useQuery({ ...clientQuery(clientId ?? ''), enabled: editing });
  const title = editing ? t('clientForm.editTitle') : t('clientForm.addTitle');

  if (!session.can('balance.add')) {
    return (
      <>
        <h1 tabIndex={-1}>{title}</h1>
        <p>{t('clientForm.cannotEdit')}</p>
      </>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        {editing ? (
          <Link to="/clients/$clientId" params={{ clientId }} activeOptions={{ exact: true }}>
            {t('clientForm.backToClient')}
          </Link>
        ) : (
          <Link to="/clients" activeOptions={{ exact: true }}>
            {t('clientForm.back')}
          </Link>
        )}
      </p>
      <h1 tabIndex={-1}>{title}</h1>
      <ErrorNotice error={existing.error} onRetry={() => void existing.refetch()} />
      {editing && existing.isPending ? <Loading label={t('clientForm.loading')} /> : null}
      {!editing || existing.data ? (
        <ClientFields key={existing.data?.id ?? 'new'} initial={existing.data ? fieldsOf(existing.data) : emptyFields} clientId={clientId} />
      ) : null}
    </>
  );
}

function ClientFields({ initial, clientId }: { initial: Fields; clientId?: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const editing = clientId !== undefined;
  const [fields, setFields] = useState(initial);
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ids = { name: useId(), nameHelp: useId(), phone: useId(), email: useId(), externalId: useId(), externalIdHelp: useId() };
  const nameMissing = fields.name.trim() === '';
  const showNameProblem = touched && nameMissing;
  const duplicate = error instanceof ApiError && error.code === 'client_exists';

  const set = (key: keyof Fields) => (value: string) => {
    setFields((f) => ({ ...f, [key]: value }));
    setError(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (nameMissing || saving) return;
    setSaving(true);
    setError(null);
    try {
      const body = bodyOf(fields, editing);
      const saved = editing
        ? (await patch<Client>(`/api/clients/${encodeURIComponent(clientId)}`, body)).body
        : (await post<Client>('/api/clients', body)).body;
      // The client's screens show what was saved at once; every search may now list it differently.
      queryClient.setQueryData(queryKeys.clientDetail(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: queryKeys.clientSearches });
      void navigate({ to: '/clients/$clientId', params: { clientId: saved.id } });
    } catch (failure) {
      setError(failure);
      setSaving(false);
    }
  };

  return (
    <form className="panel client-form" onSubmit={save} noValidate>
      <div className="field">
        <label htmlFor={ids.name}>{t('clientForm.name')}</label>
        <input
          id={ids.name}
          autoComplete="off"
          value={fields.name}
          onChange={(e) => set('name')(e.target.value)}
          aria-invalid={showNameProblem}
          aria-describedby={ids.nameHelp}
        />
        <p id={ids.nameHelp} className={showNameProblem ? 'field-error' : 'field-help'} aria-live="polite">
          {showNameProblem ? t('clientForm.nameMissing') : t('clientForm.nameHelp')}
        </p>
      </div>
      <div className="field">
        <label htmlFor={ids.phone}>
          {t('clientForm.phone')} <span className="muted">{t('common.optional')}</span>
        </label>
        <input id={ids.phone} type="tel" autoComplete="off" value={fields.phone} onChange={(e) => set('phone')(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.email}>
          {t('clientForm.email')} <span className="muted">{t('common.optional')}</span>
        </label>
        <input id={ids.email} type="email" autoComplete="off" value={fields.email} onChange={(e) => set('email')(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.externalId}>
          {t('clientForm.externalId')} <span className="muted">{t('common.optional')}</span>
        </label>
        <input
          id={ids.externalId}
          autoComplete="off"
          value={fields.externalId}
          onChange={(e) => set('externalId')(e.target.value)}
          aria-invalid={duplicate}
          aria-describedby={ids.externalIdHelp}
        />
        <p id={ids.externalIdHelp} className="field-help">
          {t('clientForm.externalIdHelp')}
        </p>
      </div>
      <ErrorNotice error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? t('common.saving') : editing ? t('clientForm.save') : t('clientForm.add')}
        </button>
      </div>
    </form>
  );
}
