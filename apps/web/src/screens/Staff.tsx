import { permissions, rolePermissions, staffRoles, type Permission, type StaffRole } from '@storecredit/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { del, patch, post, type ApiKey, type CreatedApiKey, type StaffMember } from '../api';
import { Dialog } from '../components/Dialog';
import { ErrorNotice, Loading, SuccessNotice } from '../components/Notice';
import { formatDate } from '../labels';
import { apiKeysQuery, queryKeys, staffQuery } from '../queries';
import { useSession } from '../session';

/** The business's staff and API keys (staff.manage); what each may grant, the gateway decides and explains. */
export function Staff() {
  const { t } = useTranslation();
  const session = useSession();
  if (!session.can('staff.manage')) {
    return (
      <>
        <h1 tabIndex={-1}>{t('staff.title')}</h1>
        <p>{t('staff.cannotManage')}</p>
      </>
    );
  }
  return (
    <div className="staff-admin">
      <h1 tabIndex={-1}>{t('staff.title')}</h1>
      <AddMemberForm />
      <MemberList />
      <CreateKeyForm />
      <KeyList />
    </div>
  );
}

function AddMemberForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const id = useId();
  const empty = { email: '', name: '', role: 'front_desk' as StaffRole, password: '' };
  const [form, setForm] = useState(empty);
  const [tried, setTried] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: (body: typeof empty) => post<StaffMember>('/api/staff', body),
    onSuccess: (answer) => {
      setAdded(t('staff.added', { name: answer.body.name, role: t(`staff.roles.${answer.body.role}`) }));
      setForm(empty);
      setTried(false);
      void queryClient.invalidateQueries({ queryKey: queryKeys.staff });
    },
  });
  const complete = form.email.trim() !== '' && form.name.trim() !== '' && form.password !== '';
  const change = (patch: Partial<typeof empty>) => {
    setForm({ ...form, ...patch });
    setAdded(null);
    add.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (complete && !add.isPending) add.mutate({ ...form, email: form.email.trim(), name: form.name.trim() });
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('staff.addTitle')}</h2>
      <form onSubmit={submit} noValidate aria-label={t('staff.addTitle')}>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-email`}>{t('staff.email')}</label>
            <input id={`${id}-email`} type="email" autoComplete="off" value={form.email} onChange={(e) => change({ email: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-name`}>{t('staff.name')}</label>
            <input id={`${id}-name`} autoComplete="off" value={form.name} onChange={(e) => change({ name: e.target.value })} />
          </div>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-role`}>{t('staff.role')}</label>
            <select id={`${id}-role`} value={form.role} onChange={(e) => change({ role: e.target.value as StaffRole })}>
              {staffRoles.map((role) => (
                <option key={role} value={role}>
                  {t(`staff.roles.${role}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>{t('staff.password')}</label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => change({ password: e.target.value })}
              aria-describedby={`${id}-password-help`}
            />
            <p id={`${id}-password-help`} className="field-help">
              {t('staff.passwordHelp')}
            </p>
          </div>
        </div>
        {tried && !complete ? (
          <p className="field-error" role="alert">
            {t('staff.required')}
          </p>
        ) : null}
        <ErrorNotice error={add.error} />
        <SuccessNotice message={added} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={add.isPending}>
            {add.isPending ? t('staff.adding') : t('staff.add')}
          </button>
        </div>
      </form>
    </section>
  );
}

type MemberChange = { member: StaffMember; kind: 'deactivate' | 'reactivate' | 'password' | 'role' };

function MemberList() {
  const { t } = useTranslation();
  const { me } = useSession();
  const list = useQuery(staffQuery);
  const [changing, setChanging] = useState<MemberChange | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The column names label each cell too: on a phone the table is a list of cards (styles.css shows data-label).
  const column = {
    name: t('staff.column.name'),
    email: t('staff.column.email'),
    role: t('staff.column.role'),
    status: t('staff.column.status'),
    actions: t('staff.column.actions'),
  };
  return (
    <section className="card card-list" aria-labelledby="staff-list-title">
      <h2 id="staff-list-title">{t('staff.membersTitle')}</h2>
      <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      {list.isPending ? <Loading label={t('staff.loading')} /> : null}
      <SuccessNotice message={notice} />
      {list.data ? (
        <table className="cards-table staff-table">
          <thead>
            <tr>
              <th scope="col">{column.name}</th>
              <th scope="col">{column.email}</th>
              <th scope="col">{column.role}</th>
              <th scope="col">{column.status}</th>
              <th scope="col">
                <span className="visually-hidden">{column.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((member) => (
              <tr key={member.id} data-email={member.email}>
                <td data-label={column.name}>
                  {member.name} {member.id === me.id ? <span className="muted">{t('staff.you')}</span> : null}
                </td>
                <td data-label={column.email}>{member.email}</td>
                <td data-label={column.role}>{t(`staff.roles.${member.role}`)}</td>
                <td data-label={column.status}>
                  {member.active ? (
                    <span className="badge badge-active">{t('staff.active')}</span>
                  ) : (
                    <span className="badge badge-danger">
                      {member.deactivatedAt ? t('staff.deactivatedOn', { date: formatDate(member.deactivatedAt) }) : t('staff.deactivated')}
                    </span>
                  )}
                </td>
                <td data-label="">
                  {member.id === me.id ? null : (
                    <div className="actions">
                      <MemberButton member={member} kind={member.active ? 'deactivate' : 'reactivate'} onClick={setChanging} />
                      <MemberButton member={member} kind="password" onClick={setChanging} />
                      <MemberButton member={member} kind="role" onClick={setChanging} />
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {changing?.kind === 'password' ? (
        <ResetPasswordDialog
          member={changing.member}
          onClose={() => setChanging(null)}
          onDone={(message) => {
            setChanging(null);
            setNotice(message);
          }}
        />
      ) : changing?.kind === 'role' ? (
        <RoleDialog
          member={changing.member}
          onClose={() => setChanging(null)}
          onDone={(message) => {
            setChanging(null);
            setNotice(message);
          }}
        />
      ) : changing ? (
        <ActivationDialog member={changing.member} kind={changing.kind} onClose={() => setChanging(null)} />
      ) : null}
    </section>
  );
}

function MemberButton({ member, kind, onClick }: MemberChange & { onClick: (change: MemberChange) => void }) {
  const { t } = useTranslation();
  const words = {
    deactivate: [t('staff.deactivate'), t('staff.deactivateMember', { name: member.name })],
    reactivate: [t('staff.reactivate'), t('staff.reactivateMember', { name: member.name })],
    password: [t('staff.resetPassword'), t('staff.resetPasswordOf', { name: member.name })],
    role: [t('staff.changeRole'), t('staff.changeRoleOf', { name: member.name })],
  }[kind];
  return (
    <button type="button" className="button button-quiet" onClick={() => onClick({ member, kind })} aria-label={words[1]}>
      {words[0]}
    </button>
  );
}

/** A member's role and permissions: a role sets its preset, which can be adjusted; the gateway holds the rules (PATCH /api/staff/:id). */
function RoleDialog({ member, onClose, onDone }: { member: StaffMember; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const id = useId();
  const [role, setRole] = useState<StaffRole>(member.role);
  const [chosen, setChosen] = useState<Permission[]>(member.permissions);
  const change = useMutation({
    mutationFn: (body: { role: StaffRole; permissions: Permission[] }) => patch<StaffMember>(`/api/staff/${encodeURIComponent(member.id)}`, body),
    onSuccess: (answer) => {
      // Keys of theirs beyond the new permissions are revoked.
      void queryClient.invalidateQueries({ queryKey: queryKeys.staff });
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
      onDone(t('staff.roleChanged', { name: member.name, role: t(`staff.roles.${answer.body.role}`) }));
    },
  });
  const toggle = (permission: Permission, on: boolean) => {
    setChosen((current) => (on ? [...current, permission] : current.filter((one) => one !== permission)));
    change.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!change.isPending) change.mutate({ role, permissions: permissions.filter((one) => chosen.includes(one)) });
  };
  return (
    <Dialog title={t('staff.changeRoleTitle', { name: member.name })} onClose={onClose} busy={change.isPending}>
      <form className="dialog-form" onSubmit={submit} noValidate>
        <p className="muted">{t('staff.changeRoleHelp', { name: member.name })}</p>
        <div className="field">
          <label htmlFor={`${id}-role`}>{t('staff.role')}</label>
          <select
            id={`${id}-role`}
            value={role}
            data-autofocus
            onChange={(event) => {
              const next = event.target.value as StaffRole;
              setRole(next);
              setChosen([...rolePermissions[next]]);
              change.reset();
            }}
          >
            {staffRoles.map((one) => (
              <option key={one} value={one}>
                {t(`staff.roles.${one}`)}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="permission-choices">
          <legend>{t('staff.permissions')}</legend>
          {permissions.map((permission) => (
            <label key={permission} className="checkbox">
              <input type="checkbox" checked={chosen.includes(permission)} onChange={(e) => toggle(permission, e.target.checked)} /> <code>{permission}</code>
            </label>
          ))}
        </fieldset>
        <ErrorNotice error={change.error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={change.isPending}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={change.isPending}>
            {change.isPending ? t('staff.savingRole') : t('staff.saveRole')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ActivationDialog({ member, kind, onClose }: { member: StaffMember; kind: 'deactivate' | 'reactivate'; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: () => post<StaffMember>(`/api/staff/${encodeURIComponent(member.id)}/${kind}`),
    onSuccess: () => {
      // A deactivation revokes the member's keys too.
      void queryClient.invalidateQueries({ queryKey: queryKeys.staff });
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
      onClose();
    },
  });
  const deactivating = kind === 'deactivate';
  return (
    <Dialog title={t(deactivating ? 'staff.deactivateTitle' : 'staff.reactivateTitle', { name: member.name })} onClose={onClose} busy={change.isPending}>
      <div className="dialog-form">
        <p>{t(deactivating ? 'staff.deactivateWarning' : 'staff.reactivateWarning', { name: member.name })}</p>
        <ErrorNotice error={change.error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={change.isPending} data-autofocus>
            {t('staff.keep')}
          </button>
          <button type="button" className={`button ${deactivating ? 'button-danger' : 'button-primary'}`} onClick={() => change.mutate()} disabled={change.isPending}>
            {deactivating
              ? change.isPending
                ? t('staff.deactivating')
                : t('staff.confirmDeactivate')
              : change.isPending
                ? t('staff.reactivating')
                : t('staff.confirmReactivate')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

function ResetPasswordDialog({ member, onClose, onDone }: { member: StaffMember; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: (body: { password: string }) => post<null>(`/api/staff/${encodeURIComponent(member.id)}/password`, body),
    onSuccess: () => onDone(t('staff.passwordSet', { name: member.name })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password !== '' && !reset.isPending) reset.mutate({ password });
  };
  return (
    <Dialog title={t('staff.resetTitle', { name: member.name })} onClose={onClose} busy={reset.isPending}>
      <form className="dialog-form" onSubmit={submit} noValidate>
        <p className="muted">{t('staff.resetHelp')}</p>
        <div className="field">
          <label htmlFor={`${id}-password`}>{t('staff.newPassword')}</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            value={password}
            data-autofocus
            onChange={(e) => {
              setPassword(e.target.value);
              reset.reset();
            }}
          />
        </div>
        <ErrorNotice error={reset.error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={reset.isPending}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={reset.isPending || password === ''}>
            {reset.isPending ? t('staff.settingPassword') : t('staff.setPassword')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function CreateKeyForm() {
  const { t } = useTranslation();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Permission[]>([]);
  const [tried, setTried] = useState(false);
  // The key itself lives only here, for the dialog that shows it once; the list never has it.
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const create = useMutation({
    mutationFn: (body: { name: string; permissions: Permission[] }) => post<CreatedApiKey>('/api/api-keys', body),
    onSuccess: (answer) => {
      setCreated(answer.body);
      setName('');
      setChosen([]);
      setTried(false);
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
  });
  const complete = name.trim() !== '' && chosen.length > 0;
  const toggle = (permission: Permission, on: boolean) => {
    setChosen(on ? [...chosen, permission] : chosen.filter((one) => one !== permission));
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (complete && !create.isPending) create.mutate({ name: name.trim(), permissions: permissions.filter((one) => chosen.includes(one)) });
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('staff.createKeyTitle')}</h2>
      <p className="muted">{t('staff.keysIntro')}</p>
      <form onSubmit={submit} noValidate aria-label={t('staff.createKeyTitle')}>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('staff.keyName')}</label>
          <input
            id={`${id}-name`}
            autoComplete="off"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              create.reset();
            }}
          />
        </div>
        <fieldset className="permission-choices">
          <legend>{t('staff.keyPermissions')}</legend>
          {/* Only what the signed-in person holds: the gateway refuses to grant more. */}
          {permissions
            .filter((permission) => can(permission))
            .map((permission) => (
              <label key={permission} className="checkbox">
                <input type="checkbox" checked={chosen.includes(permission)} onChange={(e) => toggle(permission, e.target.checked)} /> <code>{permission}</code>
              </label>
            ))}
        </fieldset>
        {tried && !complete ? (
          <p className="field-error" role="alert">
            {t('staff.keyProblem')}
          </p>
        ) : null}
        <ErrorNotice error={create.error} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? t('staff.creatingKey') : t('staff.createKey')}
          </button>
        </div>
      </form>
      {created ? <NewKeyDialog created={created} onClose={() => setCreated(null)} /> : null}
    </section>
  );
}

function NewKeyDialog({ created, onClose }: { created: CreatedApiKey; onClose: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [copied, setCopied] = useState(false);
  const copy = () =>
    void navigator.clipboard.writeText(created.key).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <Dialog title={t('staff.newKeyTitle', { name: created.name })} onClose={onClose}>
      <div className="dialog-form">
        <p className="notice notice-warning">{t('staff.newKeyShownOnce')}</p>
        <p id={`${id}-key`} className="visually-hidden">
          {t('staff.newKeyLabel')}
        </p>
        <code className="api-key-secret" aria-labelledby={`${id}-key`}>
          {created.key}
        </code>
        <div className="dialog-actions">
          {navigator.clipboard ? (
            <button type="button" className="button" onClick={copy}>
              {copied ? t('staff.copied') : t('staff.copy')}
            </button>
          ) : null}
          <button type="button" className="button button-primary" onClick={onClose} data-autofocus>
            {t('staff.done')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

function KeyList() {
  const { t } = useTranslation();
  const list = useQuery(apiKeysQuery);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const column = {
    name: t('staff.keyColumn.name'),
    permissions: t('staff.keyColumn.permissions'),
    created: t('staff.keyColumn.created'),
    status: t('staff.keyColumn.status'),
    actions: t('staff.keyColumn.actions'),
  };
  return (
    <section className="card card-list" aria-labelledby="key-list-title">
      <h2 id="key-list-title">{t('staff.keysTitle')}</h2>
      <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      {list.isPending ? <Loading label={t('staff.keysLoading')} /> : null}
      {list.data?.length === 0 ? <p className="empty">{t('staff.noKeys')}</p> : null}
      {list.data && list.data.length > 0 ? (
        <table className="cards-table api-key-table">
          <thead>
            <tr>
              <th scope="col">{column.name}</th>
              <th scope="col">{column.permissions}</th>
              <th scope="col">{column.created}</th>
              <th scope="col">{column.status}</th>
              <th scope="col">
                <span className="visually-hidden">{column.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((key) => (
              <tr key={key.id} data-key-name={key.name}>
                <td data-label={column.name}>{key.name}</td>
                <td data-label={column.permissions} className="permissions">
                  {key.permissions.map((permission) => (
                    <code key={permission} className="permission">
                      {permission}
                    </code>
                  ))}
                </td>
                <td data-label={column.created}>{key.createdAt ? formatDate(key.createdAt) : '—'}</td>
                <td data-label={column.status}>
                  {key.revokedAt ? (
                    <span className="badge badge-danger">{t('staff.revokedOn', { date: formatDate(key.revokedAt) })}</span>
                  ) : (
                    <span className="badge badge-active">{t('staff.keyActive')}</span>
                  )}
                </td>
                <td data-label="">
                  {key.revokedAt ? null : (
                    <button type="button" className="button button-quiet" onClick={() => setRevoking(key)} aria-label={t('staff.revokeKey', { name: key.name })}>
                      {t('staff.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {revoking ? <RevokeDialog apiKey={revoking} onClose={() => setRevoking(null)} /> : null}
    </section>
  );
}

function RevokeDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => del<ApiKey>(`/api/api-keys/${encodeURIComponent(apiKey.id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
      onClose();
    },
  });
  return (
    <Dialog title={t('staff.revokeTitle', { name: apiKey.name })} onClose={onClose} busy={revoke.isPending}>
      <div className="dialog-form">
        <p>{t('staff.revokeWarning', { name: apiKey.name })}</p>
        <ErrorNotice error={revoke.error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={revoke.isPending} data-autofocus>
            {t('staff.keep')}
          </button>
          <button type="button" className="button button-danger" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
            {revoke.isPending ? t('staff.revoking') : t('staff.confirmRevoke')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
