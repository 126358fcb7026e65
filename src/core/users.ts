/** Who may do what: `admin` configures everything; `viewer` (a customer's look-in) reads history and errors. */
export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` allows no more than `limit` (a token's role against its owner's). */
export const roleAtMost = (role: Role, limit: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(limit);

export interface User {
  id: string;
  username: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: Date;
}
