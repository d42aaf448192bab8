"""pytest fixtures for the integration tests (run with /usr/bin/python3 -m pytest).

Every test boots the hypervisor afresh through tools/hvrun with one or more
test guests from tests/guests (built by tests/guests/guests.mk into
build/guests/NAME.bin). Each run has a --timeout and every expect has its
own timeout; whatever a test leaves running is killed when it ends, and the
full console log is written to build/integration-logs/TEST.log.
"""

import re
import subprocess

import pytest

from hvtest import HV_BUILD, ROOT, HvRun

GUESTS = ["hello", "seq", "gicd", "psci", "unmapped", "hostile", "isolation", "bench"]


@pytest.fixture(scope="session")
def guests_built():
    """Build (or bring up to date) the test guests once per session."""
    proc = subprocess.run(
        ["make", "-s", "-f", "tests/guests/guests.mk", f"HV_BUILD={HV_BUILD}", "guests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        pytest.fail(f"building the test guests failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    for g in GUESTS:
        path = ROOT / HV_BUILD / "guests" / f"{g}.bin"
        if not path.is_file():
            pytest.fail(f"{path} was not built", pytrace=False)
    return True


@pytest.fixture
def hvrun(request, guests_built):
    """Factory: hvrun([vm(...), ...], timeout=T, extra_args=[...]) -> HvRun.

    Runs are killed (if still alive) and their logs saved at teardown.
    """
    runs = []
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def start(vms, timeout=90, extra_args=()):
        log = ROOT / HV_BUILD / "integration-logs" / f"{safe}{'' if not runs else '.' + str(len(runs))}.log"
        run = HvRun(vms, timeout=timeout, extra_args=extra_args, log_path=log)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.kill()
        run.save_log()
