"""Helpers for the integration tests: run tools/hvrun under pexpect, talk to
its control prompt, and pick apart the console output.

Console conventions (tools/hvrun):
  * every line a guest prints appears as "[NAME] text", NAME = the VM name;
  * "hv: all VMs powered off" when every VM has powered off (hvrun exits 0);
  * "hv: PANIC" marks a hypervisor failure (hvrun exits 1);
  * Ctrl-A then 'c' opens the control prompt "hv> "; commands: list,
    stats NAME, crash NAME [loop], destroy NAME, exit.

--vm takes comma-separated key=value pairs (see tools/hvrun): kernel,
name, cpus, mem, testhooks=on, rng=on, and cmdline, which the monitor hands to the
guest as /chosen/bootargs (the test guests read options like "count=300
delay=5" from it, separated by spaces).
"""

import os
import re
import signal
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[2]
HV_BUILD = Path(os.environ.get("HV_BUILD", "build"))
# HVRUN=path overrides the tool (e.g. to try the harness against a stand-in)
HVRUN = Path(os.environ.get("HVRUN", str(ROOT / "tools" / "hvrun")))

CTRL_PROMPT_KEYS = "\x01c"
PROMPT = "hv> "
ALL_OFF = "hv: all VMs powered off"
PANIC = "hv: PANIC"

# A reply line starts a line, or follows the prompt if the terminal does
# not echo the command.
LINE_START = r"(?:^|(?<=hv> ))"

LIST_ROW = re.compile(
    LINE_START + r"(\S+)\s+(running|restarting|failed|off|destroyed)\s+(\d+)\s+(\d+)\s+(\d+)\s*$",
    re.MULTILINE,
)


def guest_bin(guest):
    """Path of a guest image, relative to the repository root (hvrun's cwd)."""
    return str(HV_BUILD / "guests" / f"{guest}.bin")


def vm(guest, name, cpus=None, mem=None, bootargs=None, testhooks=False, rng=False):
    """A --vm argument: kernel=build/guests/GUEST.bin,name=NAME,...

    bootargs (a string, or a dict of options) goes in as cmdline=."""
    parts = [f"kernel={guest_bin(guest)}", f"name={name}"]
    if cpus is not None:
        parts.append(f"cpus={cpus}")
    if mem is not None:
        parts.append(f"mem={mem}")
    if bootargs:
        if isinstance(bootargs, dict):
            bootargs = " ".join(f"{k}={v}" for k, v in bootargs.items())
        parts.append(f"cmdline={bootargs}")
    if testhooks:
        parts.append("testhooks=on")
    if rng:
        parts.append("rng=on")
    return ",".join(parts)


def normalize(text):
    return text.replace("\r\n", "\n").replace("\r", "")


class HvRun:
    """One run of tools/hvrun under a pseudo-terminal.

    Everything hvrun prints is kept (self.output); every expect has a
    timeout; kill() leaves no process behind.
    """

    def __init__(self, vms, timeout=90, extra_args=(), log_path=None):
        if not (HVRUN.is_file() and os.access(HVRUN, os.X_OK)):
            raise AssertionError(f"{HVRUN} is missing or not executable")
        self.timeout = timeout
        self.args = ["--timeout", str(timeout), *extra_args]
        for spec in vms:
            self.args += ["--vm", spec]
        self.log_path = log_path
        self._chunks = []
        self.exitstatus = None
        self.signalstatus = None
        self.child = pexpect.spawn(
            str(HVRUN),
            self.args,
            cwd=str(ROOT),
            encoding="utf-8",
            codec_errors="replace",
            timeout=timeout + 30,
            dimensions=(50, 200),
            maxread=65536,
        )
        self.child.logfile_read = self

    # pexpect's logfile interface: keep every byte read, '\r' dropped (the
    # console's "\r\n" goes through the pty's ONLCR as "\r\r\n")
    def write(self, data):
        self._chunks.append(data.replace("\r", ""))

    def flush(self):
        pass

    @property
    def output(self):
        """Everything hvrun printed so far, with plain '\n' line ends."""
        if len(self._chunks) > 1:
            self._chunks = ["".join(self._chunks)]
        return self._chunks[0] if self._chunks else ""

    def command_line(self):
        return " ".join([str(HVRUN)] + [repr(a) if " " in a else a for a in self.args])

    def tail(self, n=4000):
        return self.output[-n:]

    def _fail(self, what):
        raise AssertionError(
            f"{what}\ncommand: {self.command_line()}\n--- output (tail) ---\n{self.tail()}"
        )

    def expect(self, pattern, timeout=60, since=0):
        """Wait until the regex matches the output from offset `since` on
        (default: all of it, so the order in which VMs print does not
        matter); returns the match. Fails on timeout or when hvrun exits.
        The output has '\n' line ends; patterns are MULTILINE."""
        rx = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.output, since)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail(f"timed out after {timeout}s waiting for {pattern!r}")
            try:
                self.child.read_nonblocking(65536, timeout=min(left, 1.0))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                m = rx.search(self.output, since)
                if m:
                    return m
                self._reap()
                self._fail(
                    f"hvrun exited (status {self.exitstatus}, signal {self.signalstatus}) "
                    f"before {pattern!r} appeared"
                )

    def expect_line(self, name, text_regex, timeout=60, since=0):
        """Wait for a complete guest line "[name] <text_regex>". Not anchored
        at the start: while the prompt is open the console's echo of typed
        characters can land in front of a guest line."""
        return self.expect(
            r"\[" + re.escape(name) + r"\] " + text_regex + r"[ \t]*\n",
            timeout=timeout,
            since=since,
        )

    def send(self, data):
        self.child.send(data)

    def control(self, command, timeout=30):
        """Run one command at the control prompt; returns what was printed
        between sending it and the next prompt, then leaves the prompt."""
        start = len(self.output)
        self.send(CTRL_PROMPT_KEYS)
        m = self.expect(re.escape(PROMPT), timeout=timeout, since=start)
        start = m.end()
        self.send(command + "\r")
        m = self.expect(r"\n" + re.escape(PROMPT), timeout=timeout, since=start)
        reply = self.output[start:m.start() + 1]
        self.send("exit\r")
        return reply

    def wait_exit(self, timeout=None):
        """Wait for hvrun to exit by itself; returns its exit status."""
        timeout = self.timeout + 30 if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                self._fail(f"hvrun did not exit within {timeout}s")
            try:
                self.child.read_nonblocking(65536, timeout=min(left, 1.0))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                break
        self._reap()
        return self.exitstatus

    def _reap(self):
        if self.exitstatus is not None or self.signalstatus is not None:
            return
        try:
            self.child.close(force=False)
        except Exception:  # pexpect raises if it cannot close: kill below
            self.kill()
            return
        self.exitstatus = self.child.exitstatus
        self.signalstatus = self.child.signalstatus

    def kill(self):
        """Stop hvrun and everything it started (its own process group)."""
        if self.child.closed:
            return
        if self.child.isalive():
            pid = self.child.pid
            # hvrun stops QEMU (its own session) on SIGTERM, which can take
            # it a few seconds; SIGKILL only if it does not go
            for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
                try:
                    os.killpg(pid, sig)
                except ProcessLookupError:
                    break
                deadline = time.monotonic() + grace
                while self.child.isalive() and time.monotonic() < deadline:
                    time.sleep(0.1)
                if not self.child.isalive():
                    break
        try:
            # read what is left so the log is complete
            self.child.expect(pexpect.EOF, timeout=2)
        except (pexpect.EOF, pexpect.TIMEOUT, OSError, ValueError):
            pass
        try:
            self.child.close(force=True)
        except Exception:
            pass
        if self.exitstatus is None:
            self.exitstatus = self.child.exitstatus
            self.signalstatus = self.child.signalstatus

    def save_log(self):
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self.log_path.write_text(
                f"$ {self.command_line()}\n{self.output}\n"
                f"[exit status {self.exitstatus}, signal {self.signalstatus}]\n"
            )

    # ---- assertions on the whole run ---------------------------------------
    def assert_no_panic(self):
        if PANIC in self.output:
            self._fail("the hypervisor panicked")

    def assert_clean_exit(self):
        """All VMs powered off, hvrun exited 0, no panic."""
        self.assert_no_panic()
        if ALL_OFF not in self.output:
            self._fail(f"no {ALL_OFF!r} line")
        if self.exitstatus != 0:
            self._fail(f"hvrun exited with status {self.exitstatus} (signal {self.signalstatus}), not 0")


# ---- output parsing ---------------------------------------------------------

def vm_lines(text, name):
    """Texts of the lines VM `name` printed, in order."""
    pat = re.compile(r"\[" + re.escape(name) + r"\] (.*)$", re.MULTILINE)
    return [m.group(1).rstrip() for m in pat.finditer(normalize(text))]


def vm_stream(text, name):
    """What VM `name` printed, its lines' texts joined without separators.

    The console prints a partial line once its stream has been quiet for a
    while (e.g. while the VM's monitor restarts) and tags the rest again
    when another VM printed in between: "[a] seq 26" ... "[a] 3". Joined,
    the pieces read "seq 263" again."""
    return "".join(vm_lines(text, name))


def parse_seq(text, name):
    """Numbers VM `name` printed as "seq N" lines, in order (see vm_stream)."""
    return [int(n) for n in re.findall(r"seq (\d+)", vm_stream(text, name))]


def seq_problems(nums, count):
    """Why `nums` is not exactly 0..count-1 once each in order ('' if it is)."""
    if nums == list(range(count)):
        return ""
    seen, dups = set(), []
    for n in nums:
        if n in seen:
            dups.append(n)
        seen.add(n)
    missing = [n for n in range(count) if n not in seen]
    extra = sorted(n for n in seen if n >= count)
    first_bad = next((i for i, n in enumerate(nums) if n != i), len(nums))
    parts = [f"{len(nums)} numbers, expected {count}"]
    if missing:
        parts.append(f"missing {missing[:20]}{'...' if len(missing) > 20 else ''}")
    if dups:
        parts.append(f"duplicated {dups[:20]}{'...' if len(dups) > 20 else ''}")
    if extra:
        parts.append(f"out of range {extra[:20]}")
    parts.append(f"first out of place at index {first_bad}: {nums[first_bad:first_bad + 5]}")
    return "; ".join(parts)


def assert_seq(run, name, count):
    """VM `name` printed seq 0..count-1 exactly once each, in order, then
    "seq done"."""
    nums = parse_seq(run.output, name)
    problems = seq_problems(nums, count)
    if problems:
        run._fail(f"[{name}] sequence wrong: {problems}")
    if not vm_stream(run.output, name).endswith("seq done"):
        run._fail(f"[{name}] never printed 'seq done'")


def parse_list(text):
    """Rows of a `list` reply: {name: {state, vcpus, exits, restarts}}."""
    rows = {}
    for m in LIST_ROW.finditer(normalize(text)):
        rows[m.group(1)] = {
            "state": m.group(2),
            "vcpus": int(m.group(3)),
            "exits": int(m.group(4)),
            "restarts": int(m.group(5)),
        }
    return rows


def parse_stats(text, name):
    """A `stats NAME` reply: ({ec: (reason, count, cost)}, (total_count, total_cost))."""
    text = normalize(text)
    n = re.escape(name)
    per_ec = {}
    for m in re.finditer(
        LINE_START + n + r" ec=0x([0-9a-fA-F]{2}) (.*?) count=(\d+) cost=(\d+)\b.*$", text, re.MULTILINE
    ):
        per_ec[int(m.group(1), 16)] = (m.group(2), int(m.group(3)), int(m.group(4)))
    total = re.search(LINE_START + n + r" total count=(\d+) cost=(\d+)\b.*$", text, re.MULTILINE)
    return per_ec, (int(total.group(1)), int(total.group(2))) if total else None
