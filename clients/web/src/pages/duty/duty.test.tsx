import { fireEvent, render, screen, within } from '@testing-library/react';
import type { Schemas } from '../../api/client';
import { ApplicabilityForm, entriesOf } from './Applicability';
import { DutyReportView } from './DutyReport';

const item = (over: Partial<Schemas['ReportItem']>): Schemas['ReportItem'] => ({
  duty_id: 'd1', duty_code: 'gunning', duty_title: 'Gunning principles', level: 'consult', requirement_id: 'r1',
  code: 'gunning-1', title: 'Proposals at a formative stage', rule: 'gunning_formative', status: 'green',
  reason: 'Fine.', gaps: [], evidence: { items: [], links: [] }, ...over,
});

const report: Schemas['DutyReport'] = {
  plan_id: 'p1', plan_title: 'Bridport', generated_at: '2026-11-25T06:00:00Z', status: 'red',
  counts: { red: 1, amber: 0, green: 1 }, assessment: null,
  items: [
    item({ code: 'gunning-1', status: 'red', reason: 'No formal consultation is recorded for this plan.', gaps: ['Record the consultation'] }),
    item({ code: 'gunning-2', title: 'Enough information', status: 'green', reason: 'Published at launch.' }),
  ],
};

const duty = (id: string, title: string): Schemas['DutyRead'] => ({
  id, code: id, jurisdiction: 'england', built_in: true, title, citation: null, summary: null, position: 0,
  requirements: [], created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', version: 1,
});

describe('DutyReportView', () => {
  it('writes each status as a word beside its colour, with the reason and gaps', () => {
    render(<DutyReportView report={report} />);
    const [, red, green] = screen.getAllByRole('row') as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(red).getByText('Red')).toHaveClass('nhsuk-tag--red');
    expect(within(red).getByText('No formal consultation is recorded for this plan.')).toBeInTheDocument();
    expect(within(red).getByText('Record the consultation')).toBeInTheDocument();
    expect(within(green).getByText('Green')).toHaveClass('nhsuk-tag--green');
    expect(screen.getByText(/1 red, 0 amber, 1 green/)).toBeInTheDocument();
  });
});

describe('applicability', () => {
  it('records only the duties answered, with a level only where the duty applies', () => {
    const form = new FormData();
    form.set('applies-a', 'yes');
    form.set('level-a', 'consult');
    form.set('reasons-a', ' Moves services ');
    form.set('applies-b', 'no');
    form.set('level-b', 'inform');
    form.set('reasons-b', 'Not a change');
    form.set('applies-c', '');
    expect(entriesOf(form, [duty('a', 'A'), duty('b', 'B'), duty('c', 'C')])).toEqual([
      { duty_id: 'a', applies: true, reasons: 'Moves services', level: 'consult' },
      { duty_id: 'b', applies: false, reasons: 'Not a change', level: null },
    ]);
  });

  it('saves a new version from the form, prefilled from the current one and based on it', () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    const current: Schemas['DutyAssessmentRead'] = {
      plan_id: 'p1', number: 1, note: null, created_at: '2026-11-01T00:00:00Z', created_by: null, signed_off_at: null,
      signed_off_by: null, current: true, version: 1,
      entries: [{ duty_id: 'a', duty_code: 'a', duty_title: 'A', applies: true, reasons: 'Because', level: 'engage' }],
    };
    render(<ApplicabilityForm duties={[duty('a', 'Duty A'), duty('b', 'Duty B')]} current={current} busy={false} onSave={onSave} />);
    const a = within(screen.getByRole('group', { name: 'Duty A' }));
    expect(a.getByLabelText('Level (where it applies)')).toHaveValue('engage');
    fireEvent.change(a.getByLabelText('Level (where it applies)'), { target: { value: 'consult' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save as a new version' }));
    expect(onSave).toHaveBeenCalledWith({ entries: [{ duty_id: 'a', applies: true, reasons: 'Because', level: 'consult' }], note: null }, current);
  });
});
