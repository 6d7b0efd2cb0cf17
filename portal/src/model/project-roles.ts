/**
 * What a project role may do, as core's permissions decide it; the portal only hides what core
 * would refuse. `develop` (edit and delete flows, retry with new inputs) is held by developers and admins.
 */
export function mayDevelop(role: string): boolean {
  return role === 'developer' || role === 'admin';
}
