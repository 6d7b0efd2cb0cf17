import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { AgentError } from './errors.js';

const execFileAsync = promisify(execFile);

/** An OS account a script runs as. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

function parsePasswdLine(line: string): OsUser | null {
  const f = line.split(':');
  if (f.length < 7) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  return { name: f[0], uid, gid, home: f[5], shell: f[6] };
}

/**
 * Looks a user up through NSS (`getent passwd`, so LDAP/SSSD users work), falling back to /etc/passwd.
 * @throws AgentError `RUN_AS_UNKNOWN_USER` when the host has no such user.
 */
export async function lookupUser(name: string): Promise<OsUser> {
  try {
    const { stdout } = await execFileAsync('getent', ['passwd', name], { timeout: 5000 });
    const user = parsePasswdLine(stdout.trim().split('\n')[0] ?? '');
    if (user && user.name === name) return user;
  } catch {
    // getent missing, or exit 2 (no such user): fall through to the file
  }
  try {
    const text = await readFile('/etc/passwd', 'utf8');
    for (const line of text.split('\n')) {
      const user = parsePasswdLine(line);
      if (user && user.name === name) return user;
    }
  } catch {
    // no passwd file
  }
  throw new AgentError('RUN_AS_UNKNOWN_USER', `user "${name}" does not exist on this host: create it or choose another run-as account`);
}

/** The account the agent runs as. */
export function currentUser(): OsUser {
  const u = userInfo();
  return { name: u.username, uid: u.uid, gid: u.gid, home: u.homedir, shell: u.shell ?? '/bin/sh' };
}

/**
 * Resolves the account a run should use. Running as another user needs root; asking for the agent's
 * own account is always allowed.
 * @throws AgentError `RUN_AS_NOT_PERMITTED` or `RUN_AS_UNKNOWN_USER`.
 */
export async function resolveRunAs(runAs: string | null): Promise<OsUser> {
  const me = currentUser();
  if (runAs === null || runAs === me.name) return me;
  if (me.uid !== 0) {
    throw new AgentError('RUN_AS_NOT_PERMITTED', `the agent runs as "${me.name}", not root, so it cannot run scripts as "${runAs}": run the agent as root or leave run-as empty`);
  }
  return lookupUser(runAs);
}
