import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The `job_success "msg"` / `job_fail "msg"` helpers offered to scripts. As in bk-job they set the
 * run's result tag and exit 0 / 1. The tag goes to a file named by `OPSLOOM_RESULT_FILE` (one per
 * run), never to stdout, so the script's own output stays exactly what it printed. Each language
 * gets the helpers without a line being added to the script, so error line numbers stay right:
 * bash through `BASH_ENV`, sh by sourcing before the script, python3 through a launcher that puts
 * the functions in builtins, perl through `-M`, powershell through a wrapper that dot-sources the script.
 */
const SHELL = `# Opsloom job helpers: the tag goes to $OPSLOOM_RESULT_FILE, not to the script's output.
unset BASH_ENV
job_success() { printf 'success\\t%s' "$*" > "$OPSLOOM_RESULT_FILE" 2>/dev/null; exit 0; }
job_fail() { printf 'fail\\t%s' "$*" > "$OPSLOOM_RESULT_FILE" 2>/dev/null; exit 1; }
`;

const PYTHON = `# Opsloom launcher: job_success/job_fail in builtins, then the script as __main__.
import builtins, os, runpy, sys

def _opsloom_tag(kind, msg, code):
    try:
        with open(os.environ.get('OPSLOOM_RESULT_FILE', os.devnull), 'w', encoding='utf-8', errors='replace') as f:
            f.write(kind + '\\t' + str(msg))
    except OSError:
        pass
    raise SystemExit(code)

builtins.job_success = lambda msg='': _opsloom_tag('success', msg, 0)
builtins.job_fail = lambda msg='': _opsloom_tag('fail', msg, 1)
del sys.argv[0]
sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
runpy.run_path(sys.argv[0], run_name='__main__')
`;

const PERL = `# Opsloom job helpers, loaded with -MOpsloomJob before the script is compiled.
package OpsloomJob;
use strict;
use warnings;
sub _tag {
    my ($kind, $msg, $code) = @_;
    if (defined $ENV{OPSLOOM_RESULT_FILE} && open(my $fh, '>', $ENV{OPSLOOM_RESULT_FILE})) {
        print $fh "$kind\\t$msg";
        close $fh;
    }
    exit $code;
}
sub main::job_success { _tag('success', join(' ', @_), 0) }
sub main::job_fail { _tag('fail', join(' ', @_), 1) }
1;
`;

const POWERSHELL = `# Opsloom wrapper: defines job_success/job_fail, then dot-sources the script with its parameters.
function job_success([string]$msg = '') { Set-Content -LiteralPath $env:OPSLOOM_RESULT_FILE -Value "success\`t$msg" -NoNewline; exit 0 }
function job_fail([string]$msg = '') { Set-Content -LiteralPath $env:OPSLOOM_RESULT_FILE -Value "fail\`t$msg" -NoNewline; exit 1 }
$opsloomScript = $args[0]
$opsloomArgs = @($args | Select-Object -Skip 1)
. $opsloomScript @opsloomArgs
exit $LASTEXITCODE
`;

/** Where the helper files were written. */
export interface JobHelperFiles {
  dir: string;
  shell: string;
  python: string;
  perlModuleDir: string;
  powershell: string;
}

/** Writes the helpers (world-readable, so scripts run as any user can load them). */
export async function writeJobHelpers(workDir: string): Promise<JobHelperFiles> {
  const dir = join(workDir, 'helpers');
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  const files: JobHelperFiles = {
    dir,
    shell: join(dir, 'job.sh'),
    python: join(dir, 'opsloom_run.py'),
    perlModuleDir: dir,
    powershell: join(dir, 'opsloom-run.ps1'),
  };
  const contents: [string, string][] = [
    [files.shell, SHELL], [files.python, PYTHON], [join(dir, 'OpsloomJob.pm'), PERL], [files.powershell, POWERSHELL],
  ];
  for (const [file, text] of contents) {
    await writeFile(file, text, { mode: 0o644 });
    await chmod(file, 0o644);
  }
  return files;
}

/** Parses what a helper wrote: `kind<TAB>message`. Anything else is no tag. */
export function parseTag(text: string, maxChars: number): { kind: 'success' | 'fail'; message: string } | null {
  const tab = text.indexOf('\t');
  if (tab < 0) return null;
  const kind = text.slice(0, tab);
  if (kind !== 'success' && kind !== 'fail') return null;
  return { kind, message: text.slice(tab + 1).replace(/\r?\n$/, '').slice(0, maxChars) };
}
