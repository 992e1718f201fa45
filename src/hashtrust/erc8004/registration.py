"""The ERC-8004 registration file (what an agent's `agentURI` resolves to), as a pydantic model.

    reg = RegistrationFile(name="Pool Watcher", description="...", image="https://...",
                           services=[Service(name="A2A", endpoint="https://...", skills=["pool-uptime"])])
    uri = reg.to_data_uri()                  # data:application/json;base64,...
    RegistrationFile.from_uri(uri) == reg    # decoding a data: URI
    agent_uri(reg) / agent_uri("ipfs://...") # what to register: data: URI or a remote URI as given

Fields follow the ERC-8004 text (revision of 2026-01-25): `type`, `name`, `description`,
`image`, `services` [{`name`, `endpoint`, `version`, ...}], `x402Support`, `active`,
`registrations` [{`agentId`, `agentRegistry` = "eip155:{chainId}:{address}"}],
`supportedTrust`. Unknown extra fields are kept (the format is extensible). hashtrust adds
optional `skills` / `capabilities` lists to services so agents can be ranked per capability.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Literal
from urllib.parse import unquote_to_bytes, urlparse

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from hashtrust.chain import jsonsafe
from hashtrust.errors import InputError

REGISTRATION_TYPE = "https://eips.ethereum.org/EIPS/eip-8004#registration-v1"
DATA_URI_PREFIX = "data:application/json;base64,"
# The schemes ERC-8004 allows for an agentURI besides `data:` (docs/identity.md lists the same).
REMOTE_SCHEMES = ("https", "ipfs")
KNOWN_TRUST = ("reputation", "crypto-economic", "tee-attestation")
_AGENT_REGISTRY = re.compile(r"^eip155:[0-9]{1,20}:0x[0-9a-fA-F]{40}$")
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")


def _check_url(value: str, what: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        raise ValueError(f"{what} must be a {' or '.join(s + '://' for s in schemes)} URL or a data: URI, got {value!r}")
    if parsed.scheme in ("https", "http") and not parsed.netloc:
        raise ValueError(f"{what} {value!r} has no host")
    if parsed.scheme == "ipfs" and len(value) <= len("ipfs://"):
        raise ValueError(f"{what} {value!r} has no content id")
    return value


class Service(BaseModel):
    """One way to reach the agent (A2A, MCP, OASF, web, ENS, DID, email, ...)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=64)
    endpoint: str = Field(min_length=1, max_length=2_048)
    version: str | None = Field(default=None, max_length=32)
    skills: list[str] | None = None
    capabilities: list[str] | None = None

    @field_validator("skills", "capabilities")
    @classmethod
    def _tokens(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        for t in v:
            if not isinstance(t, str) or not _TOKEN.match(t):
                raise ValueError(f"{t!r} is not a capability token (letters, digits, . _ : / -, at most 64)")
        if len(set(v)) != len(v):
            raise ValueError("has duplicate entries")
        return v


class Registration(BaseModel):
    """Where the agent is registered: its id in one identity registry."""

    model_config = ConfigDict(extra="forbid")

    agentId: int = Field(ge=0)
    agentRegistry: str

    @field_validator("agentRegistry")
    @classmethod
    def _caip10(cls, v: str) -> str:
        if not _AGENT_REGISTRY.match(v):
            raise ValueError(f'must be "eip155:<chainId>:<0x registry address>", got {v!r}')
        return v


class RegistrationFile(BaseModel):
    """The registration file of one agent (ERC-8004 `registration-v1`)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    type: Literal["https://eips.ethereum.org/EIPS/eip-8004#registration-v1"] = REGISTRATION_TYPE
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(min_length=1, max_length=4_096)
    image: str | None = Field(default=None, max_length=2_048)
    services: list[Service] = Field(min_length=1, max_length=32)
    x402Support: StrictBool = False  # true or false only: "yes" or 1 is an error, never silently true
    active: StrictBool = True
    registrations: list[Registration] = Field(default_factory=list, max_length=32)
    supportedTrust: list[str] = Field(default_factory=list, max_length=16)

    @field_validator("image")
    @classmethod
    def _image(cls, v: str | None) -> str | None:
        if v is None or v.startswith("data:image/"):
            return v
        return _check_url(v, "image", REMOTE_SCHEMES)

    @field_validator("supportedTrust")
    @classmethod
    def _trust(cls, v: list[str]) -> list[str]:
        for t in v:
            if not isinstance(t, str) or not _TOKEN.match(t):
                raise ValueError(f"{t!r} is not a trust model name (e.g. {', '.join(KNOWN_TRUST)})")
        if len(set(v)) != len(v):
            raise ValueError("has duplicate entries")
        return v

    # ------------------------------------------------------------------ encoding
    def to_json(self) -> str:
        """Compact JSON (fields in declaration order, unset optional fields left out)."""
        return json.dumps(self.model_dump(mode="json", exclude_none=True), separators=(",", ":"), ensure_ascii=False)

    def to_data_uri(self) -> str:
        """`data:application/json;base64,<base64 of the JSON>` (fully on-chain registration)."""
        return DATA_URI_PREFIX + base64.b64encode(self.to_json().encode()).decode()

    @classmethod
    def from_json(cls, text: str | bytes, *, field: str = "registration") -> RegistrationFile:
        try:
            data = jsonsafe.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(field, f"is not valid JSON ({exc})") from None
        return parse_registration(data, field=field)

    @classmethod
    def from_uri(cls, uri: str, *, field: str = "agentURI") -> RegistrationFile:
        """Decode a `data:application/json[;base64],...` URI (remote URIs must be fetched first)."""
        return cls.from_json(decode_data_uri(uri, field=field), field=field)

    def capability_set(self) -> set[str]:
        """Every skill / capability any service declares."""
        out: set[str] = set()
        for s in self.services:
            out.update(s.skills or [])
            out.update(s.capabilities or [])
        return out


def _loc(err: dict) -> str:
    parts: list[str] = []
    for p in err.get("loc", ()):
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts)


X402_SERVICE = "x402"  # services[].name of a paid x402 service (hashtrust's extension, docs/payments.md)


def x402_entries(registration: Any, prefix: str) -> list[dict]:
    """The x402 services a registration file (a `RegistrationFile` or its dict) declares, checked:
    ``{"index", "service", "endpoint", "price", "method", "description"}`` each. A bad entry raises
    `InputError` naming ``<prefix>services[i].<field>``: `agents register` checks them before
    registering (an entry without `service` registered and could never be called) and the
    payer/server check what they read from chain the same way."""
    from urllib.parse import urlparse

    reg = registration.model_dump(mode="json") if hasattr(registration, "model_dump") else dict(registration)
    if not reg.get("x402Support"):
        return []
    out: list[dict] = []
    for i, s in enumerate(reg.get("services") or []):
        if not isinstance(s, dict) or s.get("name") != X402_SERVICE:
            continue
        where = f"{prefix}services[{i}]"
        endpoint = s.get("endpoint") or ""
        u = urlparse(endpoint) if isinstance(endpoint, str) else None
        if u is None or u.scheme not in ("http", "https") or not u.netloc:
            raise InputError(f"{where}.endpoint", f"must be an http(s) URL, got {endpoint!r}")
        name = s.get("service")
        if not isinstance(name, str) or not name:
            raise InputError(f"{where}.service", "must name the service (the SERVICE of `hashtrust agents call`)")
        try:
            price = int(str(s.get("price")))
        except ValueError:
            raise InputError(f"{where}.price", f"must be an amount in atomic units of the devnet USD token, got {s.get('price')!r}") from None
        if price <= 0:
            raise InputError(f"{where}.price", f"must be positive, got {price}")
        method = str(s.get("method") or "POST").upper()
        if method not in ("GET", "POST"):
            raise InputError(f"{where}.method", f"must be GET or POST, got {method!r}")
        out.append({"index": i, "service": name, "endpoint": endpoint, "price": price, "method": method, "description": str(s.get("description") or "")})
    return out


def parse_registration(data: Any, *, field: str = "registration") -> RegistrationFile:
    """Validate a decoded registration file; errors name the field (e.g. ``registration.services[0].endpoint``)."""
    if isinstance(data, RegistrationFile):
        return data
    if not isinstance(data, dict):
        raise InputError(field, f"must be a JSON object, got {type(data).__name__}")
    try:
        return RegistrationFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = _loc(err)
        where = f"{field}.{loc}" if loc else field
        msg = err.get("msg", "invalid")
        if err.get("type") == "literal_error" and loc == "type":
            msg = f'must be "{REGISTRATION_TYPE}"'
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise InputError(where, msg + more) from None


def decode_data_uri(uri: str, *, field: str = "agentURI") -> bytes:
    """The payload of a `data:` URI with a JSON media type (base64 or percent-encoded)."""
    if not isinstance(uri, str) or not uri.startswith("data:"):
        raise InputError(field, "is not a data: URI")
    head, sep, payload = uri[5:].partition(",")
    if not sep:
        raise InputError(field, "data: URI without a comma")
    params = [p.strip().lower() for p in head.split(";")]
    media = params[0] or "text/plain"
    if media not in ("application/json", "application/ld+json"):
        raise InputError(field, f"data: URI media type must be application/json, got {media!r}")
    if "base64" in params[1:]:
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise InputError(field, "data: URI payload is not valid base64") from None
    return unquote_to_bytes(payload)


def agent_uri(source: RegistrationFile | dict | str, *, field: str = "agentURI") -> str:
    """The URI to register: a model/dict becomes a data: URI; a string URI is checked and kept as given."""
    if isinstance(source, str):
        if source.startswith("data:"):
            RegistrationFile.from_uri(source, field=field)  # must decode to a valid file
            return source
        try:
            return _check_url(source, field, REMOTE_SCHEMES)
        except ValueError as exc:
            raise InputError(field, str(exc).removeprefix(field + " ")) from None
    return parse_registration(source, field=field).to_data_uri()
