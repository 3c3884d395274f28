/** Roles, lowest first: each may do what the ones before it may. */
export const ROLES = ['moderator', 'lead', 'admin'] as const;
export type Role = (typeof ROLES)[number];
