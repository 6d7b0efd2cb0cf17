/**
 * The launcher ("zygote") the agent keeps running beside itself: a small perl process that forks
 * every script, so the agent's big Node process never forks (each fork of it copies the page tables
 * of a large heap and blocks its event loop until the exec). Perl is chosen because it is on nearly
 * every Unix host and starts in milliseconds; where it (or IO::Poll) is missing the agent spawns
 * scripts itself.
 *
 * Frames both ways are a 4-byte big-endian length, then a one-letter type and its fields.
 * Agent → launcher:
 *   `L` id:u32 uid:i32 gid:i32 argc:u32 envc:u32, then NUL-terminated cwd, program, args, env (`K=V`):
 *       start a program (uid -1: keep the launcher's user) as the leader of a new session.
 *   `C` id:u32: stop reading that run's pipes and forget it.
 * Launcher → agent:
 *   `R`: ready.   `S` id pid:u32: started.   `F` id message: could not start (nothing else follows).
 *   `O` id stream:u8 bytes: output (1 stdout, 2 stderr).   `E` id stream:u8: that pipe reached end of file.
 *   `X` id code:i32 signal:u8: the process ended (code -1 when killed by a signal).
 */
export const ZYGOTE_PROGRAM = String.raw`# Opsloom launcher: forks scripts for the agent. Protocol: see the agent's zygote-program.ts.
use strict;
use warnings;
use POSIX ();
use IO::Handle;
use IO::Poll qw(POLLIN POLLHUP POLLERR POLLNVAL);

$SIG{PIPE} = 'IGNORE';
binmode STDIN; binmode STDOUT;
my $poll = IO::Poll->new;
my (%runs, %byfh, %bypid);
pipe(my $sig_r, my $sig_w) or die "pipe: $!";
$_->blocking(0) for $sig_r, $sig_w;
# A child's exit wakes poll through this pipe, so an exit between two polls is never missed.
$SIG{CHLD} = sub { syswrite($sig_w, 'x') };
$poll->mask($sig_r => POLLIN);
$poll->mask(\*STDIN => POLLIN);

sub put {
  my ($type, $payload) = @_;
  my $frame = pack('N', 1 + length $payload) . $type . $payload;
  while (length $frame) {
    my $n = syswrite(STDOUT, $frame);
    if (!defined $n) { next if $!{EINTR}; exit 0 }
    substr($frame, 0, $n) = '';
  }
}

sub forget_fh {
  my ($fh) = @_;
  $poll->remove($fh);
  delete $byfh{$fh};
  close $fh;
}

sub forget_run {
  my ($id) = @_;
  my $run = delete $runs{$id} or return;
  for my $k (qw(errp out err)) { forget_fh($run->{$k}) if $run->{$k} }
}

sub launch {
  my ($msg) = @_;
  my ($id, $uid, $gid, $argc, $envc) = unpack('N l> l> N N', substr($msg, 1, 20));
  my @s = split /\0/, substr($msg, 21), -1;
  my ($cwd, $program) = splice(@s, 0, 2);
  my @args = splice(@s, 0, $argc);
  my @env = splice(@s, 0, $envc);
  my ($out_r, $out_w, $err_r, $err_w, $errp_r, $errp_w);
  unless (pipe($out_r, $out_w) && pipe($err_r, $err_w) && pipe($errp_r, $errp_w)) {
    put('F', pack('N', $id) . "pipe: $!");
    return;
  }
  my $pid = fork();
  if (!defined $pid) {
    put('F', pack('N', $id) . "fork: $!");
    return;
  }
  if ($pid == 0) {
    # In the child: every other descriptor the launcher holds is close-on-exec (perl sets it above fd 2).
    eval {
      $SIG{CHLD} = 'DEFAULT';
      $SIG{PIPE} = 'DEFAULT';
      POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new) or die "sigprocmask: $!\n";
      defined POSIX::setsid() or die "setsid: $!\n";
      my $null = POSIX::open('/dev/null', POSIX::O_RDONLY()) // die "/dev/null: $!\n";
      defined POSIX::dup2($null, 0) or die "dup2: $!\n";
      defined POSIX::dup2(fileno($out_w), 1) or die "dup2: $!\n";
      defined POSIX::dup2(fileno($err_w), 2) or die "dup2: $!\n";
      chdir($cwd) or die "chdir $cwd: $!\n";
      if ($uid >= 0) {
        # Groups first (only root may change them), then the user; each checked, never assumed.
        $) = "$gid $gid";
        $( = $gid;
        POSIX::setuid($uid);
        die "could not become uid $uid/gid $gid\n" unless $< == $uid && $> == $uid && (split ' ', $()[0] == $gid && (split ' ', $))[0] == $gid;
      }
      %ENV = ();
      for (@env) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v }
      # Quietly: the reason goes back through the start pipe, never into the script's stderr.
      { no warnings; exec { $program } $program, @args; }
      die "$!\n";
    };
    syswrite($errp_w, $@ || "unknown failure\n");
    POSIX::_exit(127);
  }
  close $out_w; close $err_w; close $errp_w;
  my $run = { id => $id, pid => $pid, out => $out_r, err => $err_r, errp => $errp_r, started => 0 };
  $runs{$id} = $run;
  $bypid{$pid} = $run;
  $byfh{$errp_r} = [$run, 'errp'];
  $byfh{$out_r} = [$run, 'out'];
  $byfh{$err_r} = [$run, 'err'];
  $poll->mask($_ => POLLIN) for $errp_r, $out_r, $err_r;
}

sub request {
  my ($msg) = @_;
  my $type = substr($msg, 0, 1);
  if ($type eq 'L') { launch($msg) }
  elsif ($type eq 'C') { forget_run(unpack('N', substr($msg, 1, 4))) }
}

sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $status = $?;
    my $run = delete $bypid{$pid} or next;
    next if $run->{failed};
    my $code = POSIX::WIFEXITED($status) ? POSIX::WEXITSTATUS($status) : -1;
    my $sig = POSIX::WIFSIGNALED($status) ? POSIX::WTERMSIG($status) : 0;
    put('X', pack('N l> C', $run->{id}, $code, $sig));
  }
}

my $inbuf = '';
put('R', '');
for (;;) {
  my $n = $poll->poll(-1);
  if ($n < 0) { next if $!{EINTR}; die "poll: $!" }
  my @ready = $poll->handles(POLLIN | POLLHUP | POLLERR | POLLNVAL);
  # Start reports before output: a program writes only after its exec, which closed the start pipe.
  my @order = ((grep { $byfh{$_} && $byfh{$_}[1] eq 'errp' } @ready), (grep { !$byfh{$_} || $byfh{$_}[1] ne 'errp' } @ready));
  for my $fh (@order) {
    if ($fh == $sig_r) {
      1 while sysread($sig_r, my $drain, 512);
      reap();
      next;
    }
    if ($fh == \*STDIN) {
      my $got = sysread(STDIN, $inbuf, 65536, length $inbuf);
      next if !defined $got && $!{EINTR};
      exit 0 unless $got;
      while (length($inbuf) >= 4) {
        my $len = unpack('N', $inbuf);
        last if length($inbuf) < 4 + $len;
        request(substr($inbuf, 4, $len));
        substr($inbuf, 0, 4 + $len) = '';
      }
      next;
    }
    my $entry = $byfh{$fh} or next;
    my ($run, $kind) = @$entry;
    my $got = sysread($fh, my $buf, 65536);
    next if !defined $got && $!{EINTR};
    if ($kind eq 'errp') {
      if ($got) {
        $run->{failed} = 1;
        put('F', pack('N', $run->{id}) . $buf);
        forget_run($run->{id});
      } else {
        put('S', pack('N N', $run->{id}, $run->{pid}));
        forget_fh($fh);
        delete $run->{errp};
      }
    } elsif ($got) {
      put('O', pack('N C', $run->{id}, $kind eq 'out' ? 1 : 2) . $buf);
    } else {
      put('E', pack('N C', $run->{id}, $kind eq 'out' ? 1 : 2));
      forget_fh($fh);
      delete $run->{$kind};
    }
  }
}
`;
