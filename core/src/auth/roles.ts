/**
 * Project roles, bk's "business" permissions reduced to four ranks. Each rank holds every right
 * of the ranks below it: a viewer reads; an operator also runs tasks and jobs; a developer also
 * edits templates, scripts and plugins; an admin also manages members, settings and secrets.
 */
export const ROLES = ['viewer', 'operator', 'developer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs, named by what the caller does rather than by who they are. */
export type Permission = 'read' | 'operate' | 'develop' | 'manage';

const NEEDED: Record<Permission, Role> = { read: 'viewer', operate: 'operator', develop: 'developer', manage: 'admin' };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` carries `permission`. */
export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(NEEDED[permission]);
}

/** True when holding `held` includes everything `wanted` may do (a role covers itself and those below it). */
export function roleCovers(held: Role, wanted: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(wanted);
}

/** The lower of two roles: an API token limited to `operator` never acts as its owner's `admin`. */
export function minRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}
