import type { Role } from '../api/client';
import { useMe } from './session';

// What each role may do, as the API enforces it (DESIGN.md "Roles"); the app only hides what would be refused.
export const can = {
  edit: (role: Role | undefined) => role === 'admin' || role === 'lead',
  log: (role: Role | undefined) => role === 'admin' || role === 'lead' || role === 'contributor',
  administer: (role: Role | undefined) => role === 'admin',
  audit: (role: Role | undefined) => role === 'admin' || role === 'auditor',
  /** Seal and download a plan's evidence pack (the API's PACK_READERS). */
  seal: (role: Role | undefined) => role === 'admin' || role === 'lead' || role === 'auditor',
};

export type Abilities = { [K in keyof typeof can]: boolean };

/** What the signed-in caller may do, from /me: one place for the role checks of the pages. */
export function useCan(): Abilities {
  const { role } = useMe();
  return Object.fromEntries(Object.entries(can).map(([ability, allows]) => [ability, allows(role)])) as Abilities;
}
