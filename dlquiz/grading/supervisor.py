"""Starts the learner's process, limits it, and leaves nothing of it behind. A standalone script (POSIX only).

Started by ``runner.py`` as ``python -I -S -B supervisor.py CONFIG`` (CONFIG is JSON, see ``main``) with:

* stdin: the *control pipe*. dlquiz writes one byte to it when it has sent the learner its job: the learner's clock
  starts then, and the supervisor passes the byte on through ``go_fd`` (the learner's process waits for it before
  it loads the learner's file). When the pipe closes — dlquiz asks to stop, or dlquiz died, even by SIGKILL — the
  supervisor kills the learner's processes and exits.
* stdout/stderr: the pipes dlquiz reads the learner's output from (the learner inherits them).
* ``status_fd``: lines for dlquiz — ``isolation MODE``, ``started PID``, ``exit CODE cpu=S rss=KIB``,
  ``signal N cpu=S rss=KIB``, ``timeout``, ``stopped``, ``error MESSAGE``. The learner never holds this descriptor.
* ``results_fd``: the pipe the learner's process (child.py) writes its result frames to; passed on, never read here.

Isolation, strongest first (the first that this machine allows):

``namespace`` (Linux with unprivileged user namespaces): the supervisor enters a new user and PID namespace and
forks an *init* (PID 1 there) that starts the learner. Inside the namespace the learner cannot see or signal
dlquiz or the supervisor (its parent PID is 0, and signals to PID 1 are ignored), ``RLIMIT_NPROC`` counts only its
own processes, and when init exits or is killed the kernel kills every process in the namespace — detached or not.
Init dies with the supervisor (``PR_SET_PDEATHSIG``), which dies with dlquiz.

``subreaper`` (other Linux): the supervisor is a child subreaper (``PR_SET_CHILD_SUBREAPER``), so every process the
learner starts — even one in a new session — is re-parented to it when its parent exits; it kills them all.

``session`` (macOS and other POSIX): the learner's session is killed; a process that starts its own session escapes.

In every mode the learner runs in its own session with stdin on /dev/null, dies with its parent
(``PR_SET_PDEATHSIG`` where available), and has hard limits: address space (soft = hard, so it cannot raise it),
CPU time, file size and no core files. The wall clock is watched here and again in dlquiz, so stopping one
watcher with SIGSTOP does not stop the time limit.
"""

import json
import os
import select
import signal
import sys
import time

try:
    import resource
except ImportError:  # pragma: no cover - POSIX only
    resource = None  # type: ignore[assignment]

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
LINUX = sys.platform.startswith("linux")
FILE_SIZE_LIMIT = 256 * 2**20  # the learner has no reason to write big files; this protects the disk
PROCESS_LIMIT = 64  # tasks (threads count) the learner may have at once; enforced only inside a user namespace
CLEANUP_S = 5.0  # how long to keep killing re-parented descendants (a fork bomb keeps making new ones)
JOB_WAIT_S = 120.0  # how long the learner's process may wait for its job: dlquiz sends it within a second


class Status:
    """Lines for dlquiz on the status pipe."""

    def __init__(self, fd):
        self.fd = fd

    def say(self, *words):
        try:
            os.write(self.fd, (" ".join(str(word) for word in words) + "\n").encode())
        except OSError:  # dlquiz is gone: nobody to tell
            pass


def _libc():
    if not LINUX:
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        return None


def _prctl(libc, option, value):
    return libc is not None and libc.prctl(option, value, 0, 0, 0) == 0


def _limit(which, soft, hard=None):
    if resource is None or which is None:
        return
    hard = soft if hard is None else hard
    try:
        _current_soft, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            hard = min(hard, current_hard)
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass  # e.g. macOS refuses RLIMIT_AS: better no limit than no grading


def _set_limits(config, in_namespace):
    _limit(getattr(resource, "RLIMIT_CORE", None), 0)
    if config["memory_mb"] > 0:
        # soft = hard: a learner cannot raise its own soft limit past the one we set.
        _limit(getattr(resource, "RLIMIT_AS", None), config["memory_mb"] * 2**20)
    if config["cpu_s"] > 0:
        # SIGXCPU at the soft limit (reported as a timeout); SIGKILL a second later if the learner ignores it.
        _limit(getattr(resource, "RLIMIT_CPU", None), config["cpu_s"], config["cpu_s"] + 1)
    _limit(getattr(resource, "RLIMIT_FSIZE", None), FILE_SIZE_LIMIT)
    if in_namespace:
        # Outside a user namespace RLIMIT_NPROC counts every process of the user, so only set it inside one.
        _limit(getattr(resource, "RLIMIT_NPROC", None), PROCESS_LIMIT)


def _spawn_learner(config, libc, in_namespace):
    """Fork and exec the learner's process (child.py); returns its pid, which is also its session id."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            _prctl(libc, PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # the parent died before the line above: do not run unwatched
                os._exit(1)
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGPIPE):
                signal.signal(number, signal.SIG_DFL)
            signal.set_wakeup_fd(-1)
            os.dup2(devnull, 0)
            _set_limits(config, in_namespace)
            os.chdir(config["cwd"])
            os.execve(config["command"][0], config["command"], os.environ)
        except BaseException:
            pass
        os._exit(127)
    os.close(devnull)
    return pid


def _describe_end(status, rusage):
    """``exit CODE`` or ``signal N``, with the CPU seconds and peak resident memory (KiB) it used."""
    usage = (
        f"cpu={rusage.ru_utime + rusage.ru_stime:.2f}",
        f"rss={rusage.ru_maxrss // (1024 if sys.platform == 'darwin' else 1)}",
    )
    if os.WIFSIGNALED(status):
        return ("signal", os.WTERMSIG(status)) + usage
    return ("exit", os.waitstatus_to_exitcode(status)) + usage


# --- namespace mode ---------------------------------------------------------------------------------------------


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def _enter_namespaces(libc):
    """Enter a new user + PID namespace, mapping our own uid and gid; False where the system does not allow it."""
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0:
        return False
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    return True


def _namespaces_work(libc):
    """Try the namespaces in a throw-away child first: once entered they cannot be left, so a half-working setup
    (e.g. the uid map refused) must not happen to the supervisor itself."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(0 if _enter_namespaces(libc) else 1)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _init(config, libc, status, supervisor_alive):
    """PID 1 of the new namespace: start the learner, reap everything, report the learner's end, exit.

    Its exit makes the kernel kill every other process in the namespace. Signals sent from inside the namespace
    are ignored by PID 1 unless it handles them, so every handler goes back to the default here.
    """
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    if config.get("go_fd") is not None:
        os.close(config["go_fd"])  # the supervisor's to write
    _prctl(libc, PR_SET_PDEATHSIG, signal.SIGKILL)
    if select.select([supervisor_alive], [], [], 0)[0]:  # EOF: the supervisor died before prctl took effect
        os._exit(1)
    learner = _spawn_learner(config, libc, in_namespace=True)
    while True:
        pid, wait_status, rusage = os.wait4(-1, 0)
        if pid == learner:
            status.say(*_describe_end(wait_status, rusage))
            os._exit(0)


# --- supervising ------------------------------------------------------------------------------------------------


def _children():
    """Our direct children (re-parented orphans included, as we are a subreaper)."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as handle:
            return [int(pid) for pid in handle.read().split()]
    except OSError:
        pass
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == me:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _reap_all():
    """Reap every exited child; False once we have no children left at all."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def _kill_descendants(learner):
    """Kill the learner's session and, as subreaper, every descendant that was re-parented to us."""
    try:
        os.killpg(learner, signal.SIGKILL)
    except OSError:
        pass
    if not LINUX:
        _reap_all()
        return
    deadline = time.monotonic() + CLEANUP_S
    while time.monotonic() < deadline:
        for pid in _children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if not _reap_all():
            return
        time.sleep(0.002)


class Clock:
    """The learner's wall-clock deadline. With a go pipe it starts at dlquiz's byte on the control pipe (until then
    the learner's process only waits, for at most JOB_WAIT_S); without one, at once."""

    def __init__(self, limit_s, go_fd):
        self.limit_s, self.go_fd = limit_s, go_fd
        self.deadline = time.monotonic() + (JOB_WAIT_S if go_fd is not None else limit_s)

    def go(self):
        """dlquiz sent the job: start the clock and let the learner's process go (once)."""
        if self.go_fd is None:
            return
        try:
            os.write(self.go_fd, b"g")
        except OSError:  # the learner's process is already gone: its end is reported as usual
            pass
        os.close(self.go_fd)
        self.go_fd = None
        self.deadline = time.monotonic() + self.limit_s


def _wait_for(watched, control, wakeup, clock):
    """Wait until ``watched`` exits (returns its status and rusage), or return None with why we stopped waiting."""
    while True:
        try:
            pid, wait_status, rusage = os.wait4(watched, os.WNOHANG)
        except ChildProcessError:
            return None, "lost"
        if pid == watched:
            return (wait_status, rusage), None
        remaining = clock.deadline - time.monotonic()
        if remaining <= 0:
            return None, "timeout"
        ready = select.select([control, wakeup], [], [], remaining)[0]
        if control in ready:
            if not os.read(control, 4096):
                return None, "stopped"
            clock.go()
        if wakeup in ready:
            signals = os.read(wakeup, 4096)
            if any(number in signals for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)):
                return None, "stopped"


def main(argv):
    """CONFIG keys: command (argv of the learner's process, which gets our environment), cwd, time_limit_s,
    memory_mb, cpu_s, status_fd, go_fd (optional), namespaces (bool: may use them)."""
    config = json.loads(argv[1])
    status = Status(config["status_fd"])
    os.set_inheritable(config["status_fd"], False)  # the learner must never hold it
    go_fd = config.get("go_fd")
    if go_fd is not None:
        os.set_inheritable(go_fd, False)  # only we write it
    clock = Clock(config["time_limit_s"], go_fd)
    libc = _libc()
    control = 0
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, lambda *_: None)  # handled through the wakeup pipe
    in_namespace = bool(config["namespaces"]) and libc is not None and _namespaces_work(libc)
    if in_namespace:
        status.say("isolation", "namespace")
        _prctl(libc, PR_SET_PDEATHSIG, signal.SIGKILL)  # the kernel then tears the namespace down too
        if not _enter_namespaces(libc):
            status.say("error", "could not enter the namespaces that a test run just entered")
            return 71
        alive_read, alive_write = os.pipe()
        watched = os.fork()
        if watched == 0:
            os.close(alive_write)
            try:
                _init(config, libc, status, alive_read)
            finally:
                os._exit(70)
        os.close(alive_read)
    else:
        reaper = _prctl(libc, PR_SET_CHILD_SUBREAPER, 1)
        status.say("isolation", "subreaper" if reaper else "session")
        watched = _spawn_learner(config, libc, in_namespace=False)
        status.say("started", watched)
    ended, why = _wait_for(watched, control, wakeup_read, clock)
    if ended is None:
        try:
            os.kill(watched, signal.SIGKILL)  # in namespace mode: init, and with it the whole namespace
        except OSError:
            pass
        try:
            os.waitpid(watched, 0)
        except ChildProcessError:
            pass
        status.say(why)
    elif not in_namespace:
        status.say(*_describe_end(*ended))  # in namespace mode init has said it
    if not in_namespace:
        _kill_descendants(watched)
    return 0


if __name__ == "__main__":
    code = 70
    try:
        code = main(sys.argv)
    except BaseException as error:  # a fault of this script: tell dlquiz in one line
        try:
            config = json.loads(sys.argv[1])
            Status(config["status_fd"]).say("error", f"{type(error).__name__}: {error}".replace("\n", " "))
        except BaseException:
            pass
    os._exit(code)
