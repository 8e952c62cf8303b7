import type { Role } from '../session/session.tsx';

/** Who may change the journey map (PUT …/journey answers 403 to the others): admins and marketing. */
export function mayEditMap(role: Role): boolean {
  return role === 'admin' || role === 'marketing';
}
