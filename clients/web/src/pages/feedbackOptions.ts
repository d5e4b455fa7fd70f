import type { Schemas } from '../api/client';

export const FEEDBACK_TYPES: Schemas['FeedbackType'][] = ['comment', 'information_request', 'advice', 'complaint', 'compliment', 'suggestion', 'concern'];
export const FEEDBACK_CHANNELS: Schemas['FeedbackChannel'][] = ['email', 'letter', 'phone', 'face_to_face', 'event', 'survey', 'online_form', 'social_media', 'pals', 'other'];
export const STATUSES: Schemas['FeedbackStatus'][] = ['received', 'acknowledged', 'considered', 'responded', 'closed'];
export const OUTCOMES: Schemas['Outcome'][] = ['changed', 'partly_changed', 'no_change_possible', 'already_in_place', 'information_given', 'under_review'];
export const TOLD_HOW: Schemas['ToldHow'][] = ['email', 'letter', 'phone', 'meeting', 'newsletter', 'website', 'social_media', 'published', 'other'];

/** The next steps PATCH allows from each status (the API's workflow); responded comes only from a response. */
export const NEXT_STATUS: Record<Schemas['FeedbackStatus'], Schemas['FeedbackStatus'][]> = {
  received: ['acknowledged', 'considered'],
  acknowledged: ['considered'],
  considered: [],
  responded: ['closed'],
  closed: [],
};

/**
 * The inbox's query string after its filter form is applied: the filters chosen, and the activity or plan that
 * "Record feedback" was opened for (from an activity's page), which applying a filter must not drop.
 */
export function filteredInbox(form: FormData, current: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams();
  for (const context of ['activity_id', 'plan_id']) {
    const value = current.get(context);
    if (value) next.set(context, value);
  }
  if (form.get('status')) next.set('status', String(form.get('status')));
  if (form.get('overdue') === 'true') next.set('overdue', 'true');
  return next;
}
