import { useState, type FormEvent } from 'react';
import { NavLink, useParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, TextInput } from 'nhsuk-react-components';
import { api, ensureOk, etagOf, unwrap, type Problem, type Role, type Schemas } from '../api/client';
import { useCan, type Abilities } from '../auth/roles';
import { ConfirmAction } from '../components/ConfirmAction';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { Pager } from '../components/Pager';
import { useCursorPager } from '../components/paging';
import { fieldErrors, problemOf, useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { DataTable, formatDate, humanise, Loaded, StatusTag } from '../components/ui';

const ROLES: Role[] = ['admin', 'lead', 'contributor', 'viewer', 'auditor'];
// Who sees each section, as the API allows it (Layout's "Admin" link shows to whoever sees one).
const SECTIONS: { path: string; text: string; show: (may: Abilities) => boolean }[] = [
  { path: 'users', text: 'Users and roles', show: (may) => may.administer },
  { path: 'settings', text: 'Settings', show: (may) => may.administer },
  { path: 'service-accounts', text: 'Service accounts', show: (may) => may.administer },
  { path: 'calendar-tokens', text: 'Calendar tokens', show: (may) => may.edit }, // admin and lead (the API's Editor)
  { path: 'audit', text: 'Audit trail', show: (may) => may.audit },
];

export default function Admin() {
  useTitle('Admin');
  const may = useCan();
  const visible = SECTIONS.filter((s) => s.show(may));
  const section = useParams()['*'] || (visible[0]?.path ?? '');
  return (
    <>
      <h1>Admin</h1>
      <nav aria-label="Admin sections">
        <ul className="nhsuk-list app-filters">
          {visible.map((s) => (
            <li key={s.path}>
              <NavLink to={`/admin/${s.path}`} aria-current={section === s.path ? 'page' : undefined}>
                {s.text}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {!visible.some((s) => s.path === section) ? (
        <p className="nhsuk-body">Your role cannot see this section.</p>
      ) : section === 'users' ? (
        <Users />
      ) : section === 'settings' ? (
        <Settings />
      ) : section === 'service-accounts' ? (
        <ServiceAccounts />
      ) : section === 'calendar-tokens' ? (
        <CalendarTokens />
      ) : (
        <Audit />
      )}
    </>
  );
}

export function Users() {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  // A page at a time over the API's cursors: a single read of 200 left the rest of a large tenant's users unreachable.
  const pager = useCursorPager();
  const users = useQuery({
    queryKey: ['users', pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/users', { params: { query: { limit: 100, cursor: pager.cursor, sort: 'email' } } })),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: async (body: Schemas['UserCreate']) => unwrap(await api.POST('/api/v1/users', { body })),
    onSuccess: () => { clear(); queryClient.invalidateQueries({ queryKey: ['users'] }); },
    onError,
  });
  const update = useMutation({
    mutationFn: async ({ user, body }: { user: Schemas['UserRead']; body: Schemas['UserUpdate'] }) =>
      unwrap(await api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: user.id }, header: { 'If-Match': etagOf(user.version) } }, body })),
    onSuccess: () => { clear(); queryClient.invalidateQueries({ queryKey: ['users'] }); },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    // Once added, empty the form: the initial password is not left in the page, nor a second click adding again.
    create.mutate(
      { email: String(form.get('email') ?? ''), full_name: String(form.get('full_name') ?? ''), role: form.get('role') as Role, password: String(form.get('password') ?? '') },
      { onSuccess: () => element.reset() },
    );
  }
  const errors = fieldErrors(problem);
  return (
    <>
      <h2>Users and roles</h2>
      <ErrorSummaryBox problem={problem} fieldIds={{ email: 'user-email', full_name: 'full_name', password: 'user-password' }} />
      <Loaded query={users}>
        {(page) => (
          <>
          <DataTable caption="Users" rows={page.items} rowKey={(u) => u.id}
            columns={[
              ['Name', (u) => u.full_name],
              ['Email', (u) => u.email],
              ['Role', (u) => (
                <select className="nhsuk-select" aria-label={`Role of ${u.full_name}`} value={u.role} onChange={(e) => update.mutate({ user: u, body: { role: e.target.value as Role } })}>
                  {ROLES.map((r) => <option key={r} value={r}>{humanise(r)}</option>)}
                </select>
              )],
              ['Active', (u) => (
                u.is_active ? (
                  <ConfirmAction className="app-link-button" onConfirm={() => update.mutate({ user: u, body: { is_active: false } })}
                    question={<>Deactivate <bdi>{u.full_name}</bdi>? They can no longer sign in.</>} confirm="Yes, deactivate">
                    Active: deactivate<span className="nhsuk-u-visually-hidden"> {u.full_name}</span>
                  </ConfirmAction>
                ) : (
                  <button type="button" className="app-link-button" onClick={() => update.mutate({ user: u, body: { is_active: true } })}>
                    Inactive: reactivate<span className="nhsuk-u-visually-hidden"> {u.full_name}</span>
                  </button>
                )
              )],
              ['Last sign-in', (u) => formatDate(u.last_login_at)],
            ]} />
            <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={users.isPlaceholderData} />
          </>
        )}
      </Loaded>
      <h3>Add a user</h3>
      <form onSubmit={submit} noValidate>
        <TextInput id="full_name" name="full_name" label="Full name" error={errors.full_name} />
        <TextInput id="user-email" name="email" type="email" label="Email" error={errors.email} />
        <Select id="user-role" name="role" label="Role" defaultValue="contributor">
          {ROLES.map((r) => <option key={r} value={r}>{humanise(r)}</option>)}
        </Select>
        <TextInput id="user-password" name="password" type="password" label="Initial password" hint="At least 12 characters" autoComplete="new-password" error={errors.password} />
        <Button type="submit" disabled={create.isPending}>Add user</Button>
      </form>
    </>
  );
}

const JURISDICTIONS: Schemas['Jurisdiction'][] = ['england', 'wales'];

export function Settings() {
  const queryClient = useQueryClient();
  const { problem, setProblem, clear, onError } = useProblem();
  const [saved, setSaved] = useState(false);
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: async () => unwrap(await api.GET('/api/v1/tenant')) });
  const save = useMutation({
    // If-Match: another admin's change since this page read the tenant is a 412, shown, rather than overwritten.
    mutationFn: async ({ version, body }: { version: number; body: Schemas['TenantSettingsUpdate'] }) =>
      unwrap(await api.PATCH('/api/v1/tenant/settings', { params: { header: { 'If-Match': etagOf(version) } }, body })),
    onSuccess: (updated) => { clear(); setSaved(true); queryClient.setQueryData(['tenant'], updated); },
    onError: (error) => {
      setSaved(false);
      onError(error);
      // Another admin saved first: show their values, which this form then changes from.
      if (problemOf(error)?.status === 412) queryClient.invalidateQueries({ queryKey: ['tenant'] });
    },
  });
  function submit(version: number, event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const days = String(form.get('feedback_response_days') ?? '').trim();
    if (days === '') {
      // Number('') is 0, which the API would refuse in other words: say what to enter instead.
      setSaved(false);
      setProblem({ type: 'about:blank', title: 'Check the settings', status: 422, errors: [{ loc: ['body', 'feedback_response_days'], msg: 'Enter a number of working days from 1 to 365', type: 'missing' }] } as Problem);
      return;
    }
    save.mutate({
      version,
      body: {
        grid_threshold: Number(form.get('grid_threshold')),
        feedback_response_days: Number(days),
        jurisdiction: form.get('jurisdiction') as Schemas['Jurisdiction'],
      },
    });
  }
  const errors = fieldErrors(problem);
  return (
    <>
      <h2>Settings</h2>
      <ErrorSummaryBox problem={problem} fieldIds={{ feedback_response_days: 'feedback-days' }} />
      {saved && <p className="nhsuk-body" role="status">Settings saved.</p>}
      <Loaded query={tenant}>
        {(t) => (
          // Keyed by version: a save, or a reload after another admin's change, shows the stored values.
          <form key={t.version} onSubmit={(event) => submit(t.version, event)} noValidate aria-label="Settings">
            <Select id="grid-threshold" name="grid_threshold" label="Score from which interest or influence counts as high"
              hint="On the power/interest grid, 1 to 5" defaultValue={String(t.settings.grid_threshold)}>
              {[1, 2, 3, 4, 5].map((n) => <option key={n} value={n}>{n}</option>)}
            </Select>
            <TextInput id="feedback-days" name="feedback_response_days" type="number" inputMode="numeric" width={4}
              label="Working days to respond to feedback" hint="1 to 365" defaultValue={String(t.settings.feedback_response_days)}
              error={errors.feedback_response_days} />
            <Select id="jurisdiction" name="jurisdiction" label="Jurisdiction" hint="Which built-in duties to involve apply"
              defaultValue={t.jurisdiction}>
              {JURISDICTIONS.map((j) => <option key={j} value={j}>{humanise(j)}</option>)}
            </Select>
            <Button type="submit" disabled={save.isPending}>Save settings</Button>
          </form>
        )}
      </Loaded>
    </>
  );
}

function Secret({ label, value }: { label: string; value: string }) {
  return (
    <div className="nhsuk-warning-callout" role="status">
      <h3 className="nhsuk-warning-callout__label">
        <span role="text"><span className="nhsuk-u-visually-hidden">Important: </span>Copy it now</span>
      </h3>
      <p>
        {label}: <code>{value}</code>. It is shown only once.
      </p>
    </div>
  );
}

function ServiceAccounts() {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const [secret, setSecret] = useState<Schemas['ServiceAccountCredentials'] | null>(null);
  const pager = useCursorPager();
  const accounts = useQuery({
    queryKey: ['service-accounts', pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/service-accounts', { params: { query: { limit: 200, cursor: pager.cursor } } })),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: async (body: Schemas['ServiceAccountCreate']) => unwrap(await api.POST('/api/v1/service-accounts', { body })),
    onSuccess: (created) => { clear(); setSecret(created); queryClient.invalidateQueries({ queryKey: ['service-accounts'] }); },
    onError,
  });
  const remove = useMutation({
    mutationFn: async (a: Schemas['ServiceAccountRead']) =>
      ensureOk(await api.DELETE('/api/v1/service-accounts/{account_id}', { params: { path: { account_id: a.id }, header: { 'If-Match': etagOf(a.version) } } })),
    onSuccess: () => { clear(); queryClient.invalidateQueries({ queryKey: ['service-accounts'] }); },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: String(form.get('name') ?? ''), role: form.get('role') as Role });
  }
  return (
    <>
      <h2>Service accounts</h2>
      <ErrorSummaryBox problem={problem} fieldIds={{ name: 'sa-name' }} />
      {secret && <Secret label={`Client id ${secret.client_id}, secret`} value={secret.client_secret ?? ''} />}
      <Loaded query={accounts}>
        {(page) => (
          <>
          <DataTable caption="Service accounts" rows={page.items} rowKey={(a) => a.id} empty="No service accounts."
            columns={[
              ['Name', (a) => a.name],
              ['Client id', (a) => <code>{a.client_id}</code>],
              ['Role', (a) => humanise(a.role)],
              ['Status', (a) => <StatusTag value={a.is_active ? 'green' : 'closed'} text={a.is_active ? 'Active' : 'Inactive'} />],
              ['', (a) => (
                <ConfirmAction className="app-link-button" onConfirm={() => remove.mutate(a)}
                  question={<>Delete <bdi>{a.name}</bdi>? Systems using it can no longer sign in.</>} confirm="Yes, delete">
                  Delete<span className="nhsuk-u-visually-hidden"> {a.name}</span>
                </ConfirmAction>
              )],
            ]} />
            <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={accounts.isPlaceholderData} />
          </>
        )}
      </Loaded>
      <h3>Add a service account</h3>
      <form onSubmit={submit} className="app-filters" noValidate>
        <TextInput id="sa-name" name="name" label="Name" error={fieldErrors(problem).name} />
        <Select id="sa-role" name="role" label="Role" defaultValue="viewer">
          {ROLES.map((r) => <option key={r} value={r}>{humanise(r)}</option>)}
        </Select>
        <Button type="submit" disabled={create.isPending}>Add</Button>
      </form>
    </>
  );
}

function CalendarTokens() {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const [secret, setSecret] = useState<Schemas['CalendarTokenSecret'] | null>(null);
  const pager = useCursorPager();
  const tokens = useQuery({
    queryKey: ['calendar-tokens', pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/calendar-tokens', { params: { query: { limit: 200, cursor: pager.cursor } } })),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: async (body: Schemas['CalendarTokenCreate']) => unwrap(await api.POST('/api/v1/calendar-tokens', { body })),
    onSuccess: (created) => { clear(); setSecret(created); queryClient.invalidateQueries({ queryKey: ['calendar-tokens'] }); },
    onError,
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => ensureOk(await api.DELETE('/api/v1/calendar-tokens/{token_id}', { params: { path: { token_id: id } } })),
    onSuccess: () => { clear(); queryClient.invalidateQueries({ queryKey: ['calendar-tokens'] }); },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ label: String(new FormData(event.currentTarget).get('label') ?? '') });
  }
  return (
    <>
      <h2>Calendar tokens</h2>
      <p className="nhsuk-body">A token lets an intranet subscribe to the engagement calendar (iCalendar) without signing in.</p>
      <ErrorSummaryBox problem={problem} fieldIds={{ label: 'token-label' }} />
      {secret && <Secret label="Feed address" value={`${window.location.origin}${secret.feed_path}`} />}
      <Loaded query={tokens}>
        {(page) => (
          <>
          <DataTable caption="Calendar tokens" rows={page.items} rowKey={(t) => t.id} empty="No calendar tokens."
            columns={[
              ['Label', (t) => t.label],
              ['Token', (t) => <code>…{t.token_hint}</code>],
              ['Created', (t) => formatDate(t.created_at)],
              ['Status', (t) => (t.revoked_at ? <StatusTag value="closed" text="Revoked" /> : (
                <ConfirmAction className="app-link-button" onConfirm={() => revoke.mutate(t.id)}
                  question={<>Revoke <bdi>{t.label}</bdi>? Calendars subscribed with it stop updating.</>} confirm="Yes, revoke">
                  Revoke<span className="nhsuk-u-visually-hidden"> {t.label}</span>
                </ConfirmAction>
              ))],
            ]} />
            <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={tokens.isPlaceholderData} />
          </>
        )}
      </Loaded>
      <h3>Add a calendar token</h3>
      <form onSubmit={submit} className="app-filters" noValidate>
        <TextInput id="token-label" name="label" label="Label" error={fieldErrors(problem).label} />
        <Button type="submit" disabled={create.isPending}>Add</Button>
      </form>
    </>
  );
}

function Audit() {
  const pager = useCursorPager();
  const [verify, setVerify] = useState(false);
  const events = useQuery({
    queryKey: ['audit-events', pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/audit-events', { params: { query: { limit: 50, cursor: pager.cursor, sort: '-seq' } } })),
    placeholderData: keepPreviousData,
  });
  const check = useQuery({
    queryKey: ['audit-verify'],
    queryFn: async () => unwrap(await api.GET('/api/v1/audit-events/verify')),
    enabled: verify,
  });
  return (
    <>
      <h2>Audit trail</h2>
      <Button type="button" secondary onClick={() => (verify ? check.refetch() : setVerify(true))}>Verify the chain</Button>
      {verify && (
        <Loaded query={check}>
          {(c) => (
            <div className={c.intact ? 'nhsuk-inset-text' : 'nhsuk-error-summary'} role="status">
              {c.intact ? (
                <p>
                  <StatusTag value="green" text="Intact" /> {c.events_checked} events checked; head <code>{c.head_hash?.slice(0, 16)}…</code>
                </p>
              ) : (
                <p>
                  <StatusTag value="red" text="Broken" /> at event {c.first_broken?.seq}: {c.first_broken?.reason}
                </p>
              )}
            </div>
          )}
        </Loaded>
      )}
      <Loaded query={events}>
        {(page) => (
          <>
            <DataTable caption="Audit events" rows={page.items} rowKey={(e) => e.id}
              columns={[
                ['#', (e) => e.seq],
                ['When', (e) => new Date(e.occurred_at).toLocaleString('en-GB')],
                ['Who', (e) => `${humanise(e.actor_type)} ${e.actor_id?.slice(0, 8) ?? ''}`],
                ['What', (e) => `${e.action} ${e.resource_type}`],
                ['Record', (e) => <code>{e.resource_id?.slice(0, 8) ?? '—'}</code>],
              ]} />
            <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={events.isPlaceholderData} />
          </>
        )}
      </Loaded>
    </>
  );
}
