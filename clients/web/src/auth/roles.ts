import type { Role } from '../api/client';

// What each role may do, as the API enforces it (DESIGN.md "Roles"); the app only hides what would be refused.
export const can = {
  edit: (role: Role | undefined) => role === 'admin' || role === 'lead',
  log: (role: Role | undefined) => role === 'admin' || role === 'lead' || role === 'contributor',
  administer: (role: Role | undefined) => role === 'admin',
  audit: (role: Role | undefined) => role === 'admin' || role === 'auditor',
};
