import type { DangerAction } from '../api-types.js';

/** A rule as shipped; the 003 migration seeds these once, after which administrators own the list. */
export interface DefaultDangerRule {
  expression: string;
  languages: readonly ('bash' | 'sh' | 'python3' | 'perl' | 'powershell')[];
  description: string;
  action: DangerAction;
}

// What may follow a path for it to be the whole argument: a space, a shell separator, a quote or the end.
const END = String.raw`(?:[\s;&|'"\x60)]|$)`;
// Options before the operands, e.g. `-rf`, `--no-preserve-root` (each starts with "-", so matching stays linear).
const OPTS = String.raw`(?:-[-\w]*\s+)*`;
const SHELLS = ['bash', 'sh', 'perl', 'python3'] as const;

/**
 * The default high-risk command rules (bk-job ships a similar set). Commands are also caught inside
 * perl and python strings (`os.system("rm -rf /")`), hence the languages.
 */
export const DEFAULT_DANGER_RULES: readonly DefaultDangerRule[] = [
  { expression: String.raw`\brm\s+${OPTS}/\*?${END}`, languages: SHELLS, action: 'intercept', description: 'rm of the root directory (rm -rf /)' },
  {
    expression: String.raw`\brm\s+${OPTS}/(?:bin|boot|dev|etc|lib|lib64|proc|root|sbin|sys|usr|var)/?\*?${END}`,
    languages: SHELLS, action: 'intercept', description: 'rm of a system directory (/etc, /usr, /boot …)',
  },
  { expression: String.raw`\bmkfs(?:\.\w+)?\b`, languages: SHELLS, action: 'intercept', description: 'mkfs formats a file system' },
  {
    expression: String.raw`\bdd\s[^#\n]*\bof=/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|md|dm-|mapper/)`,
    languages: SHELLS, action: 'intercept', description: 'dd writing onto a disk device',
  },
  {
    expression: String.raw`>\s*/dev/(?:sd|hd|vd|xvd|nvme|mmcblk)[a-z]`,
    languages: SHELLS, action: 'intercept', description: 'output redirected onto a disk device',
  },
  { expression: String.raw`:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}`, languages: ['bash', 'sh'], action: 'intercept', description: 'fork bomb :(){ :|:& };:' },
  { expression: String.raw`\bchmod\s+${OPTS}0?777\s+/${END}`, languages: SHELLS, action: 'intercept', description: 'chmod 777 of the root directory (chmod -R 777 /)' },
  { expression: String.raw`\bchown\s+${OPTS}[\w.:-]+\s+/${END}`, languages: SHELLS, action: 'intercept', description: 'chown of the root directory' },
  { expression: String.raw`>\s*/etc/(?:passwd|shadow|sudoers)\b`, languages: SHELLS, action: 'intercept', description: 'overwrites the account database' },
  { expression: String.raw`\bshutil\.rmtree\(\s*['"]/['"]`, languages: ['python3'], action: 'intercept', description: 'shutil.rmtree of the root directory' },
  { expression: String.raw`\bRemove-Item\s+[^#\n]*-Recurse[^#\n]*\s[A-Za-z]:\\?(?:\s|$)`, languages: ['powershell'], action: 'intercept', description: 'Remove-Item -Recurse of a whole drive' },
  { expression: String.raw`\bFormat-Volume\b`, languages: ['powershell'], action: 'intercept', description: 'Format-Volume formats a volume' },
  { expression: String.raw`\b(?:fdisk|parted|wipefs)\s`, languages: SHELLS, action: 'scan', description: 'partition table tools (recorded)' },
  { expression: String.raw`\b(?:shutdown|reboot|halt|poweroff)\b`, languages: SHELLS, action: 'scan', description: 'shuts down or reboots the host (recorded)' },
];
