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

it('filtersFrom drops an influence that is not a score of 1 to 5 (a hand-edited or old link), rather than send NaN', () => {
  for (const bad of ['high', '0', '6', '2.5', 'Infinity']) {
    expect(filtersFrom(new URLSearchParams(`q=smith&min_influence=${bad}`))).toEqual({ q: 'smith' });
  }
  expect(filtersFrom(new URLSearchParams('min_influence=5'))).toEqual({ min_influence: 5 });
});
