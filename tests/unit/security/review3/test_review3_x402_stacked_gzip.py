"""Third review, finding 3 (severity Medium): the x402 payer's reply cap (second review, finding 2)
is counted AFTER decompression, one network chunk at a time. httpx decodes
``Content-Encoding: gzip, gzip`` (or ``deflate, gzip``) with one unbounded ``decompress`` per layer
and per chunk, so a service sending ~1 KB of doubly-gzipped zeros makes the payer allocate hundreds
of MB (GBs with a few KB more) inside ``iter_bytes`` before `read_capped` sees the first piece. The
8 MiB `MAX_REPLY_BYTES` cap does not bound memory; an agent's service can kill the paying process.

Suggested fix: ask for ``Accept-Encoding: identity`` on the service requests, and refuse a reply
with any ``Content-Encoding`` other than identity before reading its body (or read ``iter_raw``
and decompress yourself with ``zlib.decompressobj().decompress(data, max_length)`` under the cap).
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap

from review2_helpers import ROOT

INFLATED = 768 * 1024 * 1024  # what the doubly-gzipped body decompresses to
PEAK_LIMIT_MB = 256  # a payer capped at 8 MiB has no business growing past this


def test_a_doubly_gzipped_reply_does_not_blow_past_the_cap_in_memory():
    inner = gzip.compress(b"\0" * INFLATED, compresslevel=9)
    body = gzip.compress(inner, compresslevel=9)
    assert len(body) < 64 * 1024  # the whole bomb fits in one network read
    script = textwrap.dedent(f"""
        import resource, sys, threading, httpx
        sys.path.insert(0, {str(ROOT / "tests/unit/security/review2")!r})
        from review2_helpers import post_server
        from hashtrust.payments.client import PaymentRefused, _request
        body = open(sys.argv[1], "rb").read()
        answer = lambda _p, _r: (200, {{"Content-Type": "application/json", "Content-Encoding": "gzip, gzip"}}, body)
        with post_server(answer) as (url, _):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            try:
                _request(httpx.Client(timeout=30), "POST", url + "/svc", b"{{}}")
                outcome = "accepted"
            except PaymentRefused as exc:
                outcome = "refused: " + str(exc)[:100]
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) // 1024, outcome)
    """)
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".gz") as f:
        f.write(body)
        f.flush()
        proc = subprocess.run([sys.executable, "-c", script, f.name], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-1500:]
    grew_mb, outcome = proc.stdout.split(" ", 1)
    assert int(grew_mb) < PEAK_LIMIT_MB, f"{len(body):,} bytes on the wire made the payer grow by {grew_mb} MB before the 8 MiB cap refused it ({outcome.strip()})"
