import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, Textarea } from 'nhsuk-react-components';
import { api, ifMatch, unwrap, type Problem, type Schemas } from '../api/client';
import { useCan } from '../auth/roles';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { text } from '../components/fields';
import { fieldErrors, useProblem } from '../components/problems';
import { useBaseVersion } from '../components/useBaseVersion';
import { useTitle } from '../components/useTitle';
import { BackTo, formatDate, humanise, Loaded, StatusTag, Summary } from '../components/ui';
import { NEXT_STATUS, OUTCOMES, TOLD_HOW } from './feedbackOptions';

type Feedback = Schemas['FeedbackRead'];

/** Who said it, when the API gives no stakeholder: withheld (a restricted person, to anyone but an admin) or nobody. */
export function fromNobody(f: Pick<Feedback, 'stakeholder_withheld'>): string {
  return f.stakeholder_withheld ? 'Withheld: the person’s processing is restricted' : 'Anonymous';
}

export default function FeedbackPage() {
  const { id = '' } = useParams();
  const feedback = useQuery({ queryKey: ['feedback-item', id], queryFn: async () => unwrap(await api.GET('/api/v1/feedback/{feedback_id}', { params: { path: { feedback_id: id } } })) });
  useTitle('Feedback');
  return <Loaded query={feedback}>{(f) => <FeedbackDetail key={f.id} feedback={f} />}</Loaded>;
}

function FeedbackDetail({ feedback: f }: { feedback: Feedback }) {
  const may = useCan();
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  // The feedback as this page first read it: a background refetch shows someone else's change above the response
  // form but leaves what is typed in it, so writes carry the version read (412 on theirs), and this page's saves move it on.
  const { base, rebase } = useBaseVersion(f);
  const header = ifMatch(base);
  const saved = (updated: Feedback) => {
    clear();
    rebase(updated);
    queryClient.setQueryData(['feedback-item', updated.id], updated);
    queryClient.invalidateQueries({ queryKey: ['feedback'] });
  };
  const move = useMutation({
    mutationFn: async (status: Schemas['FeedbackStatus']) =>
      unwrap(await api.PATCH('/api/v1/feedback/{feedback_id}', { params: { path: { feedback_id: f.id }, header }, body: { status } })),
    onSuccess: saved,
    onError,
  });
  const respond = useMutation({
    mutationFn: async (body: Schemas['FeedbackResponseCreate']) =>
      unwrap(await api.POST('/api/v1/feedback/{feedback_id}/response', { params: { path: { feedback_id: f.id }, header }, body })),
    onSuccess: saved,
    onError,
  });
  const logger = may.log;

  return (
    <>
      <BackTo to="/feedback">Feedback inbox</BackTo>
      <ErrorSummaryBox problem={problem} fieldIds={{ response_text: 'response_text', action_taken: 'action_taken', reason_no_change: 'reason_no_change' }} />
      <h1>
        {humanise(f.type)} <StatusTag value={f.status} /> {f.overdue && <StatusTag value="overdue" text="Overdue" />}
      </h1>
      <h2>You said</h2>
      <blockquote className="nhsuk-inset-text"><p dir="auto">{f.text}</p></blockquote>
      <Summary
        rows={[
          ['Received', `${formatDate(f.received_at)} by ${humanise(f.channel)}`],
          ['Response due', formatDate(f.response_due_at)],
          ['Themes', f.themes.join(', ')],
          ['From', f.stakeholder_id ? <Link to={`/stakeholders/${f.stakeholder_id}`}>The stakeholder</Link> : fromNobody(f)],
          ['Plan', f.plan_id ? <Link to={`/plans/${f.plan_id}/you-said-we-did`}>“You said, we did” for the plan</Link> : '—'],
          ['Publishable', f.publishable ? `Yes: ${f.publishable_summary ?? 'no summary yet'}` : 'No'],
        ]}
      />
      {f.responded_at && (
        <>
          <h2>We did</h2>
          <Summary
            rows={[
              ['Response', f.response_text],
              ['Outcome', humanise(f.outcome)],
              ['Action taken', f.action_taken],
              ['Why no change', f.reason_no_change],
              ['Told', f.told_how ? `${humanise(f.told_how)} on ${formatDate(f.told_at)}` : 'Not yet'],
            ]}
          />
        </>
      )}
      {logger && NEXT_STATUS[f.status].length > 0 && (
        <p className="nhsuk-body">
          {NEXT_STATUS[f.status].map((status) => (
            <Button key={status} type="button" secondary className="nhsuk-u-margin-right-3" disabled={move.isPending} onClick={() => move.mutate(status)}>
              {status === 'closed' ? 'Close the loop' : `Mark as ${status}`}
            </Button>
          ))}
        </p>
      )}
      {logger && f.status !== 'closed' && <ResponseForm feedback={f} problem={problem} busy={respond.isPending} onSubmit={(body) => respond.mutate(body)} />}
    </>
  );
}

function ResponseForm({ feedback, problem, busy, onSubmit }: { feedback: Feedback; problem: Problem | null; busy: boolean; onSubmit: (body: Schemas['FeedbackResponseCreate']) => void }) {
  const errors = fieldErrors(problem);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    onSubmit({
      response_text: String(form.get('response_text') ?? '').trim(),
      outcome: form.get('outcome') as Schemas['Outcome'],
      action_taken: text(form, 'action_taken'),
      reason_no_change: text(form, 'reason_no_change'),
      told_how: text(form, 'told_how') as Schemas['ToldHow'] | null,
    });
  }
  return (
    <>
      <h2>{feedback.responded_at ? 'Update the response' : 'Record what we did'}</h2>
      <form onSubmit={submit} noValidate aria-label="Response">
        <Textarea id="response_text" name="response_text" label="We did" rows={4} dir="auto" defaultValue={feedback.response_text ?? ''} error={errors.response_text} />
        <Select id="outcome" name="outcome" label="Outcome" defaultValue={feedback.outcome ?? 'changed'} error={errors.outcome}>
          {OUTCOMES.map((o) => <option key={o} value={o}>{humanise(o)}</option>)}
        </Select>
        <Textarea id="action_taken" name="action_taken" label="What was done (when something changed)" rows={2} defaultValue={feedback.action_taken ?? ''} error={errors.action_taken} />
        <Textarea id="reason_no_change" name="reason_no_change" label="Why nothing could change (when so)" rows={2} defaultValue={feedback.reason_no_change ?? ''} error={errors.reason_no_change} />
        <Select id="told_how" name="told_how" label="How they were told" defaultValue={feedback.told_how ?? ''} error={errors.told_how}>
          <option value="">Not told yet</option>
          {TOLD_HOW.map((t) => <option key={t} value={t}>{humanise(t)}</option>)}
        </Select>
        <Button type="submit" disabled={busy}>Save response</Button>
      </form>
    </>
  );
}
