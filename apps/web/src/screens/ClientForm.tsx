import {
  clientEmailLengthMax,
  clientExternalIdLengthMax,
  clientNameLengthMax,
  clientPhoneLengthMax,
  clientPhoneLengthMin,
  createClientRequestSchema,
  updateClientRequestSchema,
} from '@storecredit/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, patch, post, type Client } from '../api';
import { ErrorNotice, Loading } from '../components/Notice';
import { checkBody } from '../forms';
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
 * (which clears it). Lengths and formats are checked by the contract's request schema before it is sent.
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

type Field = keyof Fields;

function ClientFields({ initial, clientId }: { initial: Fields; clientId?: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const editing = clientId !== undefined;
  const [fields, setFields] = useState(initial);
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ids = { name: useId(), phone: useId(), email: useId(), externalId: useId() };
  const help = { name: useId(), phone: useId(), email: useId(), externalId: useId() };
  const problemWords = (field: Field, code: string): string => {
    if (field === 'name') return code === 'too_big' ? t('clientForm.nameTooLong', { max: clientNameLengthMax }) : t('clientForm.nameMissing');
    if (field === 'phone') return t('clientForm.phoneProblem', { min: clientPhoneLengthMin, max: clientPhoneLengthMax });
    if (field === 'email') return code === 'too_big' ? t('clientForm.emailTooLong', { max: clientEmailLengthMax }) : t('clientForm.emailProblem');
    return t('clientForm.externalIdTooLong', { max: clientExternalIdLengthMax });
  };

  // The contract's request schema decides what may be sent; its problems show once the person has tried to save.
  const checked = checkBody(editing ? updateClientRequestSchema : createClientRequestSchema, bodyOf(fields, editing));
  const problem = (field: Field): string | null => {
    const found = touched && !checked.ok ? checked.problems[field] : undefined;
    return found ? problemWords(field, found.code) : null;
  };
  const duplicate = error instanceof ApiError && error.code === 'client_exists';

  const set = (key: Field) => (value: string) => {
    setFields((f) => ({ ...f, [key]: value }));
    setError(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!checked.ok || saving) return;
    setSaving(true);
    setError(null);
    try {
      const saved = editing
        ? (await patch<Client>(`/api/clients/${encodeURIComponent(clientId)}`, checked.value)).body
        : (await post<Client>('/api/clients', checked.value)).body;
      // The client's screens show what was saved at once; every search may now list it differently.
      queryClient.setQueryData(queryKeys.clientDetail(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: queryKeys.clientSearches });
      void navigate({ to: '/clients/$clientId', params: { clientId: saved.id } });
    } catch (failure) {
      setError(failure);
      setSaving(false);
    }
  };

  const message = (field: Field, helpText?: string) => {
    const text = problem(field) ?? helpText;
    if (!text) return null;
    return (
      <p id={help[field]} className={problem(field) ? 'field-error' : 'field-help'} aria-live="polite">
        {text}
      </p>
    );
  };
  const described = (field: Field, hasHelp = false) => (hasHelp || problem(field) ? help[field] : undefined);

  return (
    <form className="panel client-form" onSubmit={save} noValidate>
      <div className="field">
        <label htmlFor={ids.name}>{t('clientForm.name')}</label>
        <input
          id={ids.name}
          autoComplete="off"
          value={fields.name}
          onChange={(e) => set('name')(e.target.value)}
          aria-invalid={problem('name') !== null}
          aria-describedby={described('name', true)}
        />
        {message('name', t('clientForm.nameHelp'))}
      </div>
      <div className="field">
        <label htmlFor={ids.phone}>
          {t('clientForm.phone')} <span className="muted">{t('common.optional')}</span>
        </label>
        <input
          id={ids.phone}
          type="tel"
          autoComplete="off"
          value={fields.phone}
          onChange={(e) => set('phone')(e.target.value)}
          aria-invalid={problem('phone') !== null}
          aria-describedby={described('phone')}
        />
        {message('phone')}
      </div>
      <div className="field">
        <label htmlFor={ids.email}>
          {t('clientForm.email')} <span className="muted">{t('common.optional')}</span>
        </label>
        <input
          id={ids.email}
          type="email"
          autoComplete="off"
          value={fields.email}
          onChange={(e) => set('email')(e.target.value)}
          aria-invalid={problem('email') !== null}
          aria-describedby={described('email')}
        />
        {message('email')}
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
          aria-invalid={duplicate || problem('externalId') !== null}
          aria-describedby={described('externalId', true)}
        />
        {message('externalId', t('clientForm.externalIdHelp'))}
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
