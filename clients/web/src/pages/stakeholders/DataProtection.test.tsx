import { render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { Schemas } from '../../api/client';
import { DataProtection, ObjectionForm } from './StakeholderPage';

const person = { id: 's1', name: 'Rita Example', erased_at: null, restricted_at: null } as unknown as Schemas['StakeholderRead'];

function renderFor(value: Schemas['StakeholderRead']) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <DataProtection person={value} />
    </QueryClientProvider>,
  );
}

describe('DataProtection', () => {
  it('offers subject access, a restriction with its reason, and erasure', () => {
    renderFor(person);
    expect(screen.getByRole('button', { name: 'Download what is held about them' })).toBeInTheDocument();
    expect(screen.getByLabelText('Why processing is restricted')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Erase personal data' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Lift the restriction' })).not.toBeInTheDocument();
  });

  it('offers to lift a restriction in force instead of another', () => {
    renderFor({ ...person, restricted_at: '2026-11-20T10:00:00Z' });
    expect(screen.getByRole('button', { name: 'Lift the restriction' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Restrict processing' })).not.toBeInTheDocument();
  });

  it('offers only subject access once the person is erased (the API refuses the rest)', () => {
    renderFor({ ...person, erased_at: '2026-11-20T10:00:00Z' });
    expect(screen.getByRole('button', { name: 'Download what is held about them' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Erase personal data' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Restrict processing|Lift the restriction/ })).not.toBeInTheDocument();
  });
});

describe('ObjectionForm', () => {
  it('asks what they object to, their grounds, when and the outcome', () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <ObjectionForm person={person} />
      </QueryClientProvider>,
    );
    expect(screen.getByLabelText(/They object to/)).toHaveValue('contact');
    expect(screen.getByLabelText('Their grounds')).toBeInTheDocument();
    expect(screen.getByLabelText(/When they objected/)).toBeInTheDocument();
    expect(screen.getByLabelText('Outcome')).toHaveValue('pending');
  });
});
