import { useMemo, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, Textarea, TextInput } from 'nhsuk-react-components';
import { api, ifMatch, unwrap, type Problem, type Schemas } from '../../api/client';
import { organisationQuery, stakeholderQuery } from '../../api/queries';
import { ErrorSummaryBox } from '../../components/ErrorSummaryBox';
import { changedFields, CheckboxGroup, csvList, Flag, list, RecordSelect, text } from '../../components/fields';
import { fieldErrors, useProblem } from '../../components/problems';
import { useBaseVersion } from '../../components/useBaseVersion';
import { useTitle } from '../../components/useTitle';
import { BackTo, humanise, Loaded } from '../../components/ui';
import { CATEGORIES, CHANNELS, CONSENT_BASES, KINDS, NEEDS } from './options';

type Stakeholder = Schemas['StakeholderRead'];

/** The form's values as the API's create body (an update sends those of them the user changed). */
export function bodyFrom(form: FormData): Schemas['StakeholderCreate'] {
  return {
    kind: (text(form, 'kind') ?? 'person') as Schemas['StakeholderKind'],
    name: String(form.get('name') ?? '').trim(),
    categories: list(form, 'categories') as Schemas['StakeholderCategory'][],
    organisation_id: text(form, 'organisation_id'),
    job_title: text(form, 'job_title'),
    email: text(form, 'email'),
    phone: text(form, 'phone'),
    address: text(form, 'address'),
    postcode: text(form, 'postcode'),
    preferred_channels: list(form, 'preferred_channels') as Schemas['Channel'][],
    communication_needs: list(form, 'communication_needs') as Schemas['CommunicationNeed'][],
    interpreter_language: text(form, 'interpreter_language'),
    contact_consent: form.get('contact_consent') === 'true',
    consent_basis: text(form, 'consent_basis') as Schemas['ConsentBasis'] | null,
    is_champion: form.get('is_champion') === 'true',
    is_public_representative: form.get('is_public_representative') === 'true',
    tags: csvList(form, 'tags'),
    notes: text(form, 'notes'),
  };
}

/**
 * The API refuses an email another stakeholder has with a 409 and no field errors ("This email address is already used
 * by another stakeholder in this tenant"): that message belongs beside the email field, as a 422's would be.
 */
export function withEmailConflict(problem: Problem | null): Problem | null {
  if (problem?.status !== 409 || !problem.detail?.startsWith('This email address is already used')) return problem;
  return { ...problem, errors: [{ loc: ['body', 'email'], msg: problem.detail, type: 'conflict' }] };
}

/** An objection to contact that is pending or upheld: nothing may turn contact consent back on (the API answers 409). */
export function objectionStands(s: Stakeholder | null): boolean {
  return s?.contact_objection === 'pending' || s?.contact_objection === 'upheld';
}

export default function StakeholderForm() {
  const { id } = useParams();
  const existing = useQuery({ ...stakeholderQuery(id ?? ''), enabled: Boolean(id) });
  if (id) return <Loaded query={existing}>{(s) => <Editor stakeholder={s} />}</Loaded>;
  return <Editor stakeholder={null} />;
}

function Editor({ stakeholder }: { stakeholder: Stakeholder | null }) {
  const title = stakeholder ? `Edit ${stakeholder.name}` : 'Add a stakeholder';
  useTitle(stakeholder ? 'Edit a stakeholder' : title); // a person's name stays out of the tab and the history
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  // The stakeholder as the form was filled from it: its version for If-Match, its values to tell what was changed.
  const { base } = useBaseVersion(stakeholder);
  const organisations = useQuery({
    queryKey: ['organisations', 'options'],
    queryFn: async () => unwrap(await api.GET('/api/v1/organisations', { params: { query: { limit: 500 } } })),
  });
  // The current organisation by its id when the one page of choices lacks it (Dorset's register has 613).
  const organisationId = stakeholder?.organisation_id;
  const listed = organisations.data?.items.some((o) => o.id === organisationId);
  const organisation = useQuery({ ...organisationQuery(organisationId ?? ''), enabled: Boolean(organisationId) && listed === false });

  const save = useMutation({
    mutationFn: async (body: Schemas['StakeholderCreate']) => {
      if (!base) return unwrap(await api.POST('/api/v1/stakeholders', { body }));
      const changes = changedFields(body, base);
      if (Object.keys(changes).length === 0) return stakeholder ?? base; // nothing to save
      return unwrap(await api.PATCH('/api/v1/stakeholders/{stakeholder_id}', { params: { path: { stakeholder_id: base.id }, header: ifMatch(base) }, body: changes }));
    },
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: ['stakeholders'] });
      queryClient.setQueryData(stakeholderQuery(saved.id).queryKey, saved);
      navigate(`/stakeholders/${saved.id}`);
    },
    onError,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clear();
    save.mutate(bodyFrom(new FormData(event.currentTarget)));
  }

  // Memoised: the error summary takes the focus each time its problem changes, not on every render.
  const shown = useMemo(() => withEmailConflict(problem), [problem]);
  const errors = fieldErrors(shown);
  const s = stakeholder;
  // Consent already on stays as it is (the API turns it off when an objection is recorded); off, it cannot be turned on.
  const consentLocked = objectionStands(s) && !s?.contact_consent;
  const ids = Object.fromEntries(Object.keys(errors).map((k) => [k, k]));
  return (
    <>
      <BackTo to={s ? `/stakeholders/${s.id}` : '/stakeholders'}>Back</BackTo>
      <ErrorSummaryBox problem={shown} fieldIds={ids} />
      <h1>{title}</h1>
      <form onSubmit={submit} noValidate>
        <div className="nhsuk-grid-row">
          <div className="nhsuk-grid-column-two-thirds">
            <TextInput id="name" name="name" label="Name" dir="auto" defaultValue={s?.name ?? ''} error={errors.name} />
            <Select id="kind" name="kind" label="Kind" defaultValue={s?.kind ?? 'person'} error={errors.kind}>
              {KINDS.map((k) => <option key={k} value={k}>{humanise(k)}</option>)}
            </Select>
            <RecordSelect id="organisation_id" name="organisation_id" label="Organisation" none="None" value={s?.organisation_id}
              choices={organisations.data?.items.map((o) => ({ id: o.id, text: o.name }))} chosen={organisation.data?.name} error={errors.organisation_id} />
            <TextInput id="job_title" name="job_title" label="Job title (optional)" defaultValue={s?.job_title ?? ''} error={errors.job_title} />
            <CheckboxGroup name="categories" legend="Categories" options={CATEGORIES} selected={s?.categories ?? []} error={errors.categories} />
            <h2>Contact</h2>
            <TextInput id="email" name="email" type="email" label="Email (optional)" spellCheck={false} defaultValue={s?.email ?? ''} error={errors.email} />
            <TextInput id="phone" name="phone" type="tel" label="Phone (optional)" defaultValue={s?.phone ?? ''} error={errors.phone} width={20} />
            <Textarea id="address" name="address" label="Address (optional)" rows={3} defaultValue={s?.address ?? ''} error={errors.address} />
            <TextInput id="postcode" name="postcode" label="Postcode (optional)" defaultValue={s?.postcode ?? ''} error={errors.postcode} width={10} />
            <CheckboxGroup name="preferred_channels" legend="Preferred channels" options={CHANNELS} selected={s?.preferred_channels ?? []} error={errors.preferred_channels} />
            <Flag name="contact_consent" label="Has agreed to be contacted" checked={s?.contact_consent ?? false} disabled={consentLocked}
              hint={consentLocked ? `Their objection to being contacted is ${s?.contact_objection}: record its new outcome on their page before turning this on.` : undefined} />
            <Select id="consent_basis" name="consent_basis" label="Lawful basis for contact" defaultValue={s?.consent_basis ?? ''} error={errors.consent_basis}>
              <option value="">Not recorded</option>
              {CONSENT_BASES.map((b) => <option key={b} value={b}>{humanise(b)}</option>)}
            </Select>
            <h2>Communication needs</h2>
            <CheckboxGroup name="communication_needs" legend="Needs" options={NEEDS} selected={s?.communication_needs ?? []} error={errors.communication_needs} />
            <TextInput id="interpreter_language" name="interpreter_language" label="Interpreter language (optional)" defaultValue={s?.interpreter_language ?? ''} error={errors.interpreter_language} width={20} />
            <h2>Other</h2>
            <Flag name="is_champion" label="Champion" checked={s?.is_champion ?? false} />
            <Flag name="is_public_representative" label="Patient or public representative" checked={s?.is_public_representative ?? false} />
            <TextInput id="tags" name="tags" label="Tags (optional)" hint="Separate tags with commas" defaultValue={s?.tags.join(', ') ?? ''} error={errors.tags} />
            <Textarea id="notes" name="notes" label="Notes (optional)" rows={3} defaultValue={s?.notes ?? ''} error={errors.notes} />
            <Button type="submit" disabled={save.isPending}>
              {s ? 'Save changes' : 'Add stakeholder'}
            </Button>
          </div>
        </div>
      </form>
    </>
  );
}
