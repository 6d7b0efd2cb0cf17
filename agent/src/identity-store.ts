import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from './errors.js';

/** What an agent received at enrolment and authenticates with afterwards. */
export interface AgentIdentity {
  agentId: string;
  credential: string;
  /** The gateway that issued it, for a person reading the file. */
  server: string;
  enrolledAt: string;
}

/**
 * The agent's identity on disk: `<stateDir>/identity.json`, mode 0600 in a 0711 directory, written
 * through a temporary file and a rename so a crash never leaves half a credential.
 */
export class IdentityStore {
  readonly file: string;

  constructor(readonly stateDir: string) {
    this.file = join(stateDir, 'identity.json');
  }

  /** The stored identity, or null before the first enrolment. */
  async load(): Promise<AgentIdentity | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new AgentError('IDENTITY_UNREADABLE', `cannot read ${this.file}: ${(err as Error).message}`);
    }
    try {
      const v = JSON.parse(text) as Partial<AgentIdentity>;
      if (typeof v.agentId === 'string' && typeof v.credential === 'string') {
        return { agentId: v.agentId, credential: v.credential, server: String(v.server ?? ''), enrolledAt: String(v.enrolledAt ?? '') };
      }
    } catch {
      // fall through
    }
    throw new AgentError('IDENTITY_UNREADABLE', `${this.file} is not a valid agent identity: remove it to enrol again`);
  }

  /** Stores a new identity, readable by the agent's user only. */
  async save(identity: AgentIdentity): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o711 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(identity, null, 2) + '\n', { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.file);
  }

  /** Forgets the identity (core refused the credential and the agent will enrol again). */
  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
