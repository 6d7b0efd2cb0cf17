/**
 * The launcher ("zygote") the agent keeps running beside itself: a small python3 process that starts
 * every script, so the agent's big Node process never forks (each fork of it copies the page tables
 * of a large heap, write-protects it, and blocks the event loop until the exec). The launcher starts
 * scripts with `posix_spawn`, which shares its memory with the child until the exec (vfork), so neither
 * side copies or faults on pages; a run as another user needs a real fork (to drop privileges before
 * the exec) and takes one. Where python3 is missing the agent spawns scripts itself.
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
export const ZYGOTE_PROGRAM = String.raw`# Opsloom launcher: starts scripts for the agent. Protocol: see the agent's zygote-program.ts.
import os, select, signal, struct, sys

OUT = sys.stdout.fileno()
IN = sys.stdin.fileno()
# Everything the launcher itself set (python ignores SIGPIPE and SIGXFSZ) goes back to default in scripts.
DEFAULT_SIGNALS = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)]

def put(kind, payload=b''):
    frame = struct.pack('>I', 1 + len(payload)) + kind + payload
    view = memoryview(frame)
    while view:
        try:
            n = os.write(OUT, view)
        except BrokenPipeError:
            os._exit(0)
        view = view[n:]

poll = select.poll()
runs = {}    # id -> {pid, fds}
byfd = {}    # fd -> (id, stream)
bypid = {}   # pid -> id

def forget_fd(fd):
    byfd.pop(fd, None)
    try:
        poll.unregister(fd)
    except KeyError:
        pass
    os.close(fd)

def forget_run(rid):
    run = runs.pop(rid, None)
    if run:
        for fd in list(run['fds']):
            forget_fd(fd)

def start(cwd, program, args, env, uid, gid, out_w, err_w):
    """Returns the pid; raises OSError when the program could not be started."""
    if uid < 0:
        # posix_spawn takes the cwd from the launcher: move there just for the spawn.
        try:
            os.chdir(cwd)
        except OSError as e:
            raise OSError('chdir %s: %s' % (cwd, e.strerror))
        try:
            return os.posix_spawn(program, [program] + args, env, setsid=True, setsigmask=(), setsigdef=DEFAULT_SIGNALS,
                file_actions=[(os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0),
                              (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)])
        finally:
            os.chdir('/')
    # Another user: a real fork, privileges dropped in the child before the exec, failures told through a pipe.
    rp, wp = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(rp)
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for s in DEFAULT_SIGNALS:
                try:
                    signal.signal(s, signal.SIG_DFL)
                except (OSError, ValueError):
                    pass
            os.setsid()
            null = os.open('/dev/null', os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.chdir(cwd)
            # Groups first (only root may change them), then the user; each checked, never assumed.
            os.setgroups([gid])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
            if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups() not in ([gid], []):
                raise OSError('could not become uid %d gid %d' % (uid, gid))
            os.execve(program, [program] + args, env)
        except BaseException as e:
            try:
                os.write(wp, str(e).encode('utf-8', 'replace') or b'failed')
            finally:
                os._exit(127)
    os.close(wp)
    try:
        msg = b''
        while True:
            chunk = os.read(rp, 4096)
            if not chunk:
                break
            msg += chunk
    finally:
        os.close(rp)
    if msg:
        os.waitpid(pid, 0)
        raise OSError(msg.decode('utf-8', 'replace'))
    return pid

def launch(msg):
    rid, uid, gid, argc, envc = struct.unpack('>IiiII', msg[1:21])
    parts = msg[21:].split(b'\0')
    cwd, program = os.fsdecode(parts[0]), os.fsdecode(parts[1])
    args = [os.fsdecode(p) for p in parts[2:2 + argc]]
    env = dict(p.split(b'=', 1) for p in parts[2 + argc:2 + argc + envc])
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        pid = start(cwd, program, args, env, uid, gid, out_w, err_w)
    except OSError as e:
        for fd in (out_r, out_w, err_r, err_w):
            os.close(fd)
        put(b'F', struct.pack('>I', rid) + (e.strerror and '%s: %s' % (e.strerror, e.filename or program) or str(e)).encode('utf-8', 'replace'))
        return
    os.close(out_w)
    os.close(err_w)
    runs[rid] = {'pid': pid, 'fds': {out_r, err_r}}
    bypid[pid] = rid
    byfd[out_r] = (rid, 1)
    byfd[err_r] = (rid, 2)
    poll.register(out_r, select.POLLIN)
    poll.register(err_r, select.POLLIN)
    put(b'S', struct.pack('>II', rid, pid))

def reap():
    while bypid:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        rid = bypid.pop(pid, None)
        if rid is None:
            continue
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        put(b'X', struct.pack('>IiB', rid, code, sig))

# A child's exit wakes poll through this pipe, so an exit between two polls is never missed.
wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False)
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)
poll.register(wake_r, select.POLLIN)
poll.register(IN, select.POLLIN)
os.chdir('/')
inbuf = b''
put(b'R')
while True:
    for fd, _ in poll.poll():
        if fd == wake_r:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
            reap()
        elif fd == IN:
            got = os.read(IN, 65536)
            if not got:
                sys.exit(0)
            inbuf += got
            while len(inbuf) >= 4:
                (n,) = struct.unpack('>I', inbuf[:4])
                if len(inbuf) < 4 + n:
                    break
                msg, inbuf = inbuf[4:4 + n], inbuf[4 + n:]
                if msg[:1] == b'L':
                    launch(msg)
                elif msg[:1] == b'C':
                    forget_run(struct.unpack('>I', msg[1:5])[0])
        elif fd in byfd:
            rid, stream = byfd[fd]
            data = os.read(fd, 65536)
            if data:
                put(b'O', struct.pack('>IB', rid, stream) + data)
            else:
                put(b'E', struct.pack('>IB', rid, stream))
                forget_fd(fd)
                runs.get(rid, {'fds': set()})['fds'].discard(fd)
    reap()
`;
