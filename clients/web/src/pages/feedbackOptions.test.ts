import { filteredInbox } from './feedbackOptions';

const form = (values: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(values)) data.set(name, value);
  return data;
};

describe('filteredInbox', () => {
  it('keeps the activity and plan that feedback is being recorded for', () => {
    const current = new URLSearchParams('activity_id=a1&plan_id=p1&status=received');
    expect(filteredInbox(form({ status: 'closed', overdue: '' }), current).toString())
      .toBe('activity_id=a1&plan_id=p1&status=closed');
  });

  it('sets only the filters chosen', () => {
    expect(filteredInbox(form({ status: '', overdue: 'true' }), new URLSearchParams('overdue=true&status=closed')).toString())
      .toBe('overdue=true');
  });
});
