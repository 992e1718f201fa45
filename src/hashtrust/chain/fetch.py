"""The one resolver for every URI the SDK fetches (request files, agent registration files, ...).

Every URI it is handed came from the chain, so from anyone: the validator fetches what a
requester names, `agents rank` what each agent's owner names. Before this module the SDK read
``file://`` and plain paths from the local disk (``/dev/stdin`` hung the validator, ``/dev/zero``
filled its memory, any path told the world whether a file exists on the validator's machine),
read http bodies with a per-read timeout and no overall deadline, and followed redirects
anywhere (issue 22, defects 4 and 7). `fetch` applies one policy (`FetchPolicy`) instead:

**Schemes** (`ALLOWED`; docs/identity.md lists the same):

* ``data:`` -- decoded in memory (base64 or percent-encoded); broken base64 is refused;
* ``https:`` -- to public hosts; also to loopback hosts where allowed (a local devnet's file server; see **Hosts**);
* ``http:`` -- only to loopback hosts, unless the policy allows plain http (``allow_http``);
* ``ipfs://<cid>[/path]`` -- through the configured gateway (``ipfs_gateway``, default
  ``$HASHTRUST_IPFS_GATEWAY`` or ``https://ipfs.io/ipfs/``), under the same rules as https;
* ``file:`` and plain paths -- never, unless the operator passes a directory to serve from
  (``local_dir``); then only regular files inside it (no devices, FIFOs or escapes by ``..``
  or symlinks).

Anything else (``ftp:``, ``ar:``, ``javascript:``, ...) is refused, naming the allowed schemes.

**Hosts.** The host name is resolved once, with the deadline, in a thread of its own (a name
server that never answers costs that fetch its deadline, nothing else); every address it
resolves to must be allowed (public, or loopback where loopback is allowed); private,
link-local, CGNAT, multicast, reserved and unspecified addresses are refused unless
``allow_private``. The connection goes to the address that was checked (no second DNS answer
can swap it). `FetchPolicy` allows loopback (SDK code on a devnet); the commands build their
policy with `for_chain`, which refuses loopback off a local devnet unless the operator passes
``--allow-loopback``.

**Limits.** One deadline for the whole fetch (``deadline``, default 10 s: resolution, connect,
headers, body, every redirect), enforced by a watchdog that closes the socket, so a server that
drips a byte a second or never answers costs at most the deadline. A byte cap (``max_bytes``,
default 1 MiB) enforced while reading (a larger ``Content-Length`` is refused before the body);
``Accept-Encoding: identity`` and no decompression, so nothing expands after the cap.
Redirects (at most ``max_redirects``, default 3) are checked against the same rules, and a
redirect from a non-loopback host to a loopback one is refused. The content type is never
trusted: the caller gets bytes and parses them as what it expects.

Errors are `FetchError` with ``permanent`` set when retrying cannot help (a refused scheme or
host, a malformed URI, a body over the cap, an HTTP 4xx) and clear when it may (a timeout, a
connection refused, an HTTP 5xx).
"""

from __future__ import annotations

import base64
import binascii
import http.client
import ipaddress
import os
import socket
import ssl
import stat
import threading
import time
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path

from hashtrust.errors import HashtrustError

ALLOWED = "data:, https:, http: to loopback hosts, ipfs: through a gateway (file: and paths only from a directory the operator serves)"
DEFAULT_GATEWAY = "https://ipfs.io/ipfs/"
REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


class BodyTooLarge(ValueError):
    """A body read through `CappedBody` went over its cap (``limit`` bytes)."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"larger than {limit:,} bytes")


class CappedBody:
    """The one byte cap on a body read in pieces (an http fetch here, a node's JSON-RPC reply in
    `hashtrust.chain.provider`, x402 requests and replies in `hashtrust.payments`): ``add`` each
    piece as it arrives; the piece that takes the total over ``limit`` raises `BodyTooLarge`, so
    no more than ``limit`` bytes plus one piece is ever held."""

    def __init__(self, limit: int):
        self.limit = int(limit)
        self._chunks: list[bytes] = []
        self._total = 0

    def __len__(self) -> int:
        return self._total

    def add(self, chunk: bytes) -> None:
        self._total += len(chunk)
        if self._total > self.limit:
            self._chunks.clear()
            raise BodyTooLarge(self.limit)
        self._chunks.append(bytes(chunk))

    def bytes(self) -> bytes:
        return b"".join(self._chunks)


def read_capped(chunks, limit: int, *, deadline: float | None = None) -> bytes:
    """The pieces of an iterable (``requests``' ``iter_content``, ``httpx``'s ``iter_bytes``)
    joined, refusing more than ``limit`` bytes (`BodyTooLarge`) and, with ``deadline`` (a
    ``time.monotonic()`` instant), a body still arriving after it (``TimeoutError``)."""
    body = CappedBody(limit)
    for chunk in chunks:
        body.add(chunk)
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError("the body was still arriving at the deadline")
    return body.bytes()


class FetchError(HashtrustError):
    """A URI that could not be fetched; ``permanent`` when retrying cannot help."""

    def __init__(self, uri: str, problem: str, *, permanent: bool):
        self.uri = uri
        self.problem = problem
        self.permanent = permanent
        super().__init__(f"{_show(uri)}: {problem}")


def _show(uri: str, limit: int = 80) -> str:
    from hashtrust.chain.decode import display

    return display(uri, limit)


def _default_gateway() -> str:
    return os.environ.get("HASHTRUST_IPFS_GATEWAY", DEFAULT_GATEWAY)


@dataclass(frozen=True)
class FetchPolicy:
    """What `fetch` may read, and how much (see the module doc)."""

    max_bytes: int = 1 << 20
    deadline: float = 10.0
    max_redirects: int = 3
    ipfs_gateway: str = field(default_factory=_default_gateway)
    allow_http: bool = False  # plain http to non-loopback hosts
    allow_loopback: bool = True  # http(s) to 127.0.0.0/8 and ::1
    allow_private: bool = False  # http(s) to private, link-local, CGNAT, ... addresses
    local_dir: Path | None = None  # file: URIs and plain paths are read from under this directory only

    def with_(self, **changes) -> FetchPolicy:
        return replace(self, **changes)


DEFAULT_POLICY = FetchPolicy()

LOOPBACK_OPTION = "--allow-loopback"


def for_chain(policy: FetchPolicy, w3: object, *, allow_loopback: bool = False) -> FetchPolicy:
    """``policy`` for code that serves the chain ``w3``: loopback hosts (127.0.0.0/8, ::1) are
    fetched only on a local devnet (`hashtrust.chain.devnet.not_a_devnet`: its file server runs
    here) or when the operator opts in (``allow_loopback``, the commands' ``--allow-loopback``).

    Off a devnet every URI is named by someone else (a requester, an agent's owner), and a
    loopback URL reaches the services of the fetching machine itself -- a node's admin API, a
    local signer -- and a validator's on-chain answer tells the requester what answered (review
    finding 5). So, like private addresses, loopback is refused there by default."""
    from hashtrust.chain.devnet import not_a_devnet

    return policy.with_(allow_loopback=bool(allow_loopback) or not_a_devnet(w3) is None)


class Resolver:
    """`fetch` bound to a policy: ``Resolver(policy)(uri) -> bytes`` (what agents take as ``fetch``)."""

    def __init__(self, policy: FetchPolicy | None = None):
        self.policy = policy or FetchPolicy()

    def __call__(self, uri: str) -> bytes:
        return fetch(uri, self.policy)


def fetch(uri: str, policy: FetchPolicy | None = None) -> bytes:
    """The bytes behind ``uri`` under ``policy`` (default `FetchPolicy()`); raises `FetchError`."""
    policy = policy or FetchPolicy()
    if not isinstance(uri, str):
        raise FetchError(repr(uri), "is not a string", permanent=True)
    from hashtrust.chain.decode import is_valid_text

    if not is_valid_text(uri):
        raise FetchError(uri, "is not valid UTF-8 (as read from the chain)", permanent=True)
    if not uri:
        raise FetchError(uri, "is empty", permanent=True)
    if "\x00" in uri or any(ord(c) < 0x20 for c in uri):
        raise FetchError(uri, "contains control characters", permanent=True)
    deadline = time.monotonic() + policy.deadline
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
    if scheme == "data":
        return _data(uri, policy)
    if scheme in ("http", "https"):
        return _http(uri, policy, deadline)
    if scheme == "ipfs":
        return _http(_ipfs_url(uri, policy), policy, deadline, shown=uri)
    if scheme == "file" or not scheme or (len(scheme) == 1 and uri[1:3] in (":\\", ":/")):
        return _local(uri, policy)
    raise FetchError(uri, f"scheme {scheme!r} is not fetched (allowed: {ALLOWED})", permanent=True)


# ---------------------------------------------------------------------------- data:
def _data(uri: str, policy: FetchPolicy) -> bytes:
    head, sep, body = uri[5:].partition(",")
    if not sep:
        raise FetchError(uri, "malformed data: URI (no comma)", permanent=True)
    if head.lower().endswith(";base64"):
        if len(body) > 4 * (policy.max_bytes // 3 + 1) + 4:
            raise FetchError(uri, f"decodes to more than {policy.max_bytes:,} bytes", permanent=True)
        try:
            out = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise FetchError(uri, f"malformed base64 in data: URI ({exc})", permanent=True) from None
    else:
        out = urllib.parse.unquote_to_bytes(body)
    if len(out) > policy.max_bytes:
        raise FetchError(uri, f"decodes to more than {policy.max_bytes:,} bytes", permanent=True)
    return out


# ---------------------------------------------------------------------------- ipfs:
def _ipfs_url(uri: str, policy: FetchPolicy) -> str:
    rest = uri[len("ipfs:") :].lstrip("/")
    if rest.startswith("ipfs/"):
        rest = rest[len("ipfs/") :]
    cid, _, path = rest.partition("/")
    if not cid or not (cid.isascii() and cid.isalnum()) or len(cid) > 128:  # "١٢٣".isalnum(): ASCII only
        raise FetchError(uri, "is not ipfs://<content id>[/path]", permanent=True)
    gateway = policy.ipfs_gateway
    if not gateway.endswith("/"):
        gateway += "/"
    return gateway + cid + ("/" + urllib.parse.quote(path, safe="/") if path else "")


# ---------------------------------------------------------------------------- file: and paths
def _local(uri: str, policy: FetchPolicy) -> bytes:
    if policy.local_dir is None:
        raise FetchError(uri, f"local files are not fetched (allowed: {ALLOWED})", permanent=True)
    if uri.lower().startswith("file:"):
        parsed = urllib.parse.urlparse(uri)
        if parsed.netloc not in ("", "localhost"):
            raise FetchError(uri, "file: URIs must not name a host", permanent=True)
        raw_path = urllib.parse.unquote(parsed.path)
    else:
        raw_path = uri
    root = Path(os.path.realpath(policy.local_dir))
    target = Path(os.path.realpath(root / raw_path.lstrip("/")) if not os.path.isabs(raw_path) else os.path.realpath(raw_path))
    if target != root and root not in target.parents:
        raise FetchError(uri, f"is outside the served directory {root}", permanent=True)
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise FetchError(uri, f"cannot be read ({exc.strerror})", permanent=True) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FetchError(uri, "is not a regular file", permanent=True)
        if st.st_size > policy.max_bytes:
            raise FetchError(uri, f"is {st.st_size:,} bytes; at most {policy.max_bytes:,} are read", permanent=True)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(_CHUNK, policy.max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > policy.max_bytes:
                raise FetchError(uri, f"is larger than {policy.max_bytes:,} bytes", permanent=True)
        return b"".join(chunks)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- http(s):
def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """"loopback", "public" or "private" (anything that is neither: RFC 1918, link-local,
    CGNAT, ULA, multicast, reserved, unspecified)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_global and not ip.is_multicast:
        return "public"
    return "private"


MAX_LOOKUPS = 256
"""Name look-ups in flight at once, hung ones included (each holds one thread until the system
resolver gives up). Beyond it a fetch fails at once, as transient."""
_lookups = threading.BoundedSemaphore(MAX_LOOKUPS)


def _getaddrinfo(uri: str, host: str, port: int, deadline: float) -> list:
    """``socket.getaddrinfo`` within the deadline, in a thread of its own.

    The system resolver cannot be interrupted, and a name server that drops queries keeps a
    look-up going past any deadline. A shared pool let a few such names hold every thread, so the
    next honest name waited in the queue until its own deadline passed (review finding 8): here
    each look-up has its own daemon thread, so one slow name costs its own fetch only."""
    if not _lookups.acquire(blocking=False):
        raise FetchError(uri, f"{MAX_LOOKUPS} name look-ups are already in progress (unresponsive name servers); try again later", permanent=False)
    done = threading.Event()
    box: dict[str, object] = {}

    def look_up() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting fetch
            box["error"] = exc
        finally:
            _lookups.release()
            done.set()

    threading.Thread(target=look_up, name="hashtrust-dns", daemon=True).start()
    if not done.wait(max(0.0, deadline - time.monotonic())):
        raise FetchError(uri, f"resolving {host!r} took longer than the deadline", permanent=False)
    error = box.get("error")
    if isinstance(error, OSError):
        raise FetchError(uri, f"cannot resolve {host!r} ({error})", permanent=False)
    if error is not None:
        raise FetchError(uri, f"cannot resolve {host!r} ({type(error).__name__}: {error})", permanent=False)
    return box["infos"]  # type: ignore[return-value]


def _resolve(uri: str, host: str, port: int, deadline: float) -> list[tuple[str, str]]:
    """(address, kind) of every address ``host`` resolves to, within the deadline."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        return [(str(literal), _kind(literal))]
    except ValueError:
        pass
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return [("127.0.0.1", "loopback")]
    infos = _getaddrinfo(uri, host, port, deadline)
    out = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        out.append((str(ip), _kind(ip)))
    if not out:
        raise FetchError(uri, f"{host!r} resolves to no address", permanent=False)
    return out


def _check_target(uri: str, url: str, policy: FetchPolicy, deadline: float, came_from: str | None) -> tuple[urllib.parse.SplitResult, str]:
    """Check one hop (the URI or a redirect's target); returns its parts and the address to use."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = "a redirect to" if came_from else "scheme"
        raise FetchError(uri, f"{what} {scheme or url[:20]!r} is not fetched (allowed: {ALLOWED})", permanent=True)
    host = parts.hostname
    if not host:
        raise FetchError(uri, f"{url[:60]!r} names no host", permanent=True)
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchError(uri, f"{url[:60]!r} has a bad port", permanent=True) from None
    addrs = _resolve(uri, host, port, deadline)
    kinds = {k for _, k in addrs}
    if "private" in kinds and not policy.allow_private:
        bad = next(a for a, k in addrs if k == "private")
        what = f"{host} is a private address" if bad == host.strip("[]") else f"{host} resolves to a private address ({bad})"
        raise FetchError(uri, f"{what}; refused", permanent=True)
    if "loopback" in kinds and not policy.allow_loopback:
        raise FetchError(uri, f"{host} is a loopback address; refused", permanent=True)
    if "loopback" in kinds and came_from is not None and came_from != "loopback":
        raise FetchError(uri, f"a redirect from a non-loopback host to {host} (loopback) is refused", permanent=True)
    if scheme == "http" and kinds != {"loopback"} and not policy.allow_http:
        raise FetchError(uri, f"plain http to {host} is refused: use https (allowed: {ALLOWED})", permanent=True)
    return parts, addrs[0][0]


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a checked address, with the URI's host in the Host header."""

    def __init__(self, host: str, port: int, ip: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; the certificate is verified for the URI's host."""

    def __init__(self, host: str, port: int, ip: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _remaining(uri: str, deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(uri, "deadline passed", permanent=False)
    return left


def _http(url: str, policy: FetchPolicy, deadline: float, *, shown: str | None = None) -> bytes:
    uri = shown or url
    came_from: str | None = None
    for _hop in range(policy.max_redirects + 1):
        parts, ip = _check_target(uri, url, policy, deadline, came_from)
        came_from = _kind(ipaddress.ip_address(ip))
        status, location, body = _get(uri, parts, ip, policy, deadline)
        if status in REDIRECTS:
            if not location:
                raise FetchError(uri, f"HTTP {status} without a Location", permanent=True)
            url = urllib.parse.urljoin(url, location)
            continue
        return body
    raise FetchError(uri, f"more than {policy.max_redirects} redirects", permanent=True)


def arm_watchdog(conn: http.client.HTTPConnection, timeout: float) -> tuple[threading.Timer, threading.Event]:
    """Start the deadline of one HTTP exchange on ``conn`` (an `http.client` connection): after
    ``timeout`` seconds the socket is shut under whatever connect or read is waiting, and the
    returned event is set. The caller cancels the timer when the exchange is over."""
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(timeout, cut)
    watchdog.daemon = True
    watchdog.start()
    return watchdog, expired


def _get(uri: str, parts: urllib.parse.SplitResult, ip: str, policy: FetchPolicy, deadline: float) -> tuple[int, str | None, bytes]:
    """One GET to a checked address under the overall deadline: (status, Location, body)."""
    timeout = _remaining(uri, deadline)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    conn_cls = _PinnedHTTPS if parts.scheme.lower() == "https" else _PinnedHTTP
    conn = conn_cls(parts.hostname or "", port, ip, timeout)
    watchdog, expired = arm_watchdog(conn, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        try:
            conn.request("GET", path, headers={"User-Agent": "hashtrust", "Accept": "*/*", "Accept-Encoding": "identity", "Connection": "close"})
            resp = conn.getresponse()
            status = resp.status
            if status in REDIRECTS:
                return status, resp.getheader("Location"), b""
            if status != 200:
                raise FetchError(uri, f"HTTP {status}", permanent=400 <= status < 500 and status not in (408, 429))
            length = resp.getheader("Content-Length")
            if length is not None and length.strip().isdigit() and int(length) > policy.max_bytes:
                raise FetchError(uri, f"is {int(length):,} bytes; at most {policy.max_bytes:,} are read", permanent=True)
            body = CappedBody(policy.max_bytes)
            try:
                while not expired.is_set():
                    chunk = resp.read1(min(_CHUNK, policy.max_bytes + 1 - len(body)))
                    if not chunk:
                        break
                    body.add(chunk)
            except BodyTooLarge:
                raise FetchError(uri, f"is larger than {policy.max_bytes:,} bytes", permanent=True) from None
            if expired.is_set():
                raise FetchError(uri, f"not fetched within the {policy.deadline:g} s deadline", permanent=False)
            return status, None, body.bytes()
        except FetchError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if expired.is_set() or isinstance(exc, (socket.timeout, TimeoutError)):
                raise FetchError(uri, f"not fetched within the {policy.deadline:g} s deadline", permanent=False) from None
            if isinstance(exc, ssl.SSLCertVerificationError):
                raise FetchError(uri, f"TLS certificate not valid for {parts.hostname} ({exc.verify_message})", permanent=False) from None
            raise FetchError(uri, f"cannot fetch ({type(exc).__name__}: {exc})", permanent=False) from None
    finally:
        watchdog.cancel()
        conn.close()
