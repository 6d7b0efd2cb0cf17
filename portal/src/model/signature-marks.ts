/**
 * How a plugin version's signature mark reads, and what installing it takes: the badges of the
 * marketplace and the plugin page, and whether the install form offers "I accept this version".
 */

/**
 * The badge text of a catalog signature state (`trusted`, `untrusted`, `invalid`, `unsigned`) or of
 * an installed plugin's (`verified`, `unsigned-approved`: what the installer found).
 * @example signatureText('invalid', 'orgb') // 'signature does not verify (claims orgb)'
 */
export function signatureText(state: string, org: string | null): string {
  switch (state) {
    case 'verified': return `signed by ${org ?? '?'} (verified at install)`;
    case 'unsigned-approved': return org ? `signed by ${org}, not trusted: approved by an administrator` : 'unsigned: approved by an administrator';
    case 'trusted': return `signed by ${org ?? '?'} (trusted)`;
    case 'untrusted': return `signed by ${org ?? '?'} (not trusted here)`;
    // Say "claims": the organisation is what the package asserts, and the assertion failed.
    case 'invalid': return org ? `signature does not verify (claims ${org})` : 'signature does not verify';
    default: return 'unsigned';
  }
}

/** What installing a catalog version takes. */
export type InstallGate =
  | { kind: 'verified' }
  /** An administrator must tick `label` (sent as `allowUnsigned`). */
  | { kind: 'accept'; label: string }
  /** A forged or tampered signature: no approval makes it installable. */
  | { kind: 'refused'; reason: string };

/**
 * The install gate of a version by its signature state.
 * @example installGate('untrusted') // { kind: 'accept', label: 'I accept this untrusted version' }
 */
export function installGate(state: string): InstallGate {
  switch (state) {
    case 'trusted': return { kind: 'verified' };
    case 'invalid': return { kind: 'refused', reason: 'its signature does not verify with a key of the trust store, or the package changed after signing: it cannot be installed' };
    case 'untrusted': return { kind: 'accept', label: 'I accept this untrusted version' };
    default: return { kind: 'accept', label: 'I accept this unsigned version' };
  }
}
