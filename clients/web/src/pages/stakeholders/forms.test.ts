import { filtersFrom } from './StakeholderList';
import { bodyFrom } from './StakeholderForm';

it('bodyFrom turns blank optional fields into null and collects checkbox lists', () => {
  const form = new FormData();
  form.set('name', '  Ada Lovelace ');
  form.set('email', '');
  form.append('categories', 'patient');
  form.append('categories', 'carer');
  form.set('is_champion', 'true');
  form.set('tags', 'diabetes, , north');
  const body = bodyFrom(form);
  expect(body.name).toBe('Ada Lovelace');
  expect(body.email).toBeNull();
  expect(body.categories).toEqual(['patient', 'carer']);
  expect(body.is_champion).toBe(true);
  expect(body.contact_consent).toBe(false);
  expect(body.tags).toEqual(['diabetes', 'north']);
});

it('filtersFrom reads the register filters from the address, typed for the API', () => {
  const filters = filtersFrom(new URLSearchParams('q=smith&champion=true&min_influence=3&unknown=x&quadrant=monitor'));
  expect(filters).toEqual({ q: 'smith', champion: true, min_influence: 3, quadrant: 'monitor' });
});
