"""The CLI starts without the in-process test chain: every `hashtrust` command (and every e2e test
that runs one as a subprocess) would otherwise pay ~0.4 s importing eth-tester and py-evm."""

import subprocess
import sys


def test_the_cli_does_not_import_the_test_chain():
    probe = "import sys, hashtrust.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('eth_tester', 'eth')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
