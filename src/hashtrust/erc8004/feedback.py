"""The ERC-8004 off-chain feedback file, and its keccak256 (the on-chain ``feedbackHash``).

    f = FeedbackFile.build(chain_id=31337, registry=rep_identity, agent_id=3, client=alice,
                           value="99.77", tag1="uptime")
    f.feedback_hash()      # bytes32 to pass to giveFeedback
    f.data_uri()           # a self-contained feedbackURI (data:application/json;base64,...)

The hash is taken over the file's canonical bytes (`canonical_bytes`: JSON with sorted keys,
no insignificant whitespace, UTF-8, absent optional fields left out), which is also exactly
what `data_uri` carries, so anyone can re-hash the URI's content and compare.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from typing import Any

from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hashtrust.chain import jsonsafe
from hashtrust.erc8004.reputation import (
    MAX_ABS_VALUE,
    MAX_DECIMALS,
    MAX_ENDPOINT,
    MAX_TAG,
    decode_value,
    encode_value,
)

_CAIP10 = re.compile(r"^eip155:(\d+):(0x[0-9a-fA-F]{40})$")


def caip10(chain_id: int, address: str) -> str:
    """``eip155:{chainId}:{checksummed address}``."""
    return f"eip155:{int(chain_id)}:{to_checksum_address(address)}"


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class McpContext(_Part):
    tool: str | None = None
    prompt: str | None = None
    resource: str | None = None


class A2AContext(_Part):
    skills: list[str] | None = None
    contextId: str | None = None
    taskId: str | None = None


class OasfContext(_Part):
    skills: list[str] | None = None
    domains: list[str] | None = None


class ProofOfPayment(_Part):
    fromAddress: str
    toAddress: str
    chainId: str | int
    txHash: str


class FeedbackFile(BaseModel):
    """The spec's feedback file. Unknown extra fields are kept (and hashed)."""

    model_config = ConfigDict(extra="allow")

    agentRegistry: str = Field(description="eip155:{chainId}:{identityRegistry}")
    agentId: int = Field(ge=0)
    clientAddress: str = Field(description="eip155:{chainId}:{client}")
    createdAt: str = Field(description="ISO-8601 time")
    value: int
    valueDecimals: int = Field(ge=0, le=MAX_DECIMALS)
    tag1: str | None = None
    tag2: str | None = None
    endpoint: str | None = None
    mcp: McpContext | None = None
    a2a: A2AContext | None = None
    oasf: OasfContext | None = None
    proofOfPayment: ProofOfPayment | None = None

    @field_validator("agentRegistry", "clientAddress")
    @classmethod
    def _caip10(cls, v: str) -> str:
        if not _CAIP10.match(v):
            raise ValueError(f"{v!r} is not eip155:<chainId>:<0x address>")
        return v

    @field_validator("createdAt")
    @classmethod
    def _iso(cls, v: str) -> str:
        try:
            datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{v!r} is not an ISO-8601 time") from None
        return v

    @field_validator("value")
    @classmethod
    def _value(cls, v: int) -> int:
        if abs(v) > MAX_ABS_VALUE:
            raise ValueError("|value| must be <= 1e38")
        return v

    @field_validator("tag1", "tag2")
    @classmethod
    def _tag(cls, v: str | None) -> str | None:
        if v is not None and len(v.encode()) > MAX_TAG:
            raise ValueError(f"tags are at most {MAX_TAG} bytes")
        return v

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, v: str | None) -> str | None:
        if v is not None and len(v.encode()) > MAX_ENDPOINT:
            raise ValueError(f"endpoint is at most {MAX_ENDPOINT} bytes")
        return v

    @model_validator(mode="after")
    def _same_chain(self) -> FeedbackFile:
        a = _CAIP10.match(self.agentRegistry)
        c = _CAIP10.match(self.clientAddress)
        if a and c and a.group(1) != c.group(1):
            raise ValueError("agentRegistry and clientAddress name different chains")
        return self

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        *,
        chain_id: int,
        registry: str,
        agent_id: int,
        client: str,
        value: Any,
        decimals: int | None = None,
        tag1: str = "",
        tag2: str = "",
        endpoint: str = "",
        created_at: datetime | str | None = None,
        **extra: Any,
    ) -> FeedbackFile:
        """A file from human inputs (``value`` like 87 or "99.77"); empty strings are left out."""
        raw, dec = encode_value(value, decimals)
        if created_at is None:
            created_at = datetime.now(timezone.utc).replace(microsecond=0)
        if isinstance(created_at, datetime):
            created_at = created_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        return cls(
            agentRegistry=caip10(chain_id, registry),
            agentId=agent_id,
            clientAddress=caip10(chain_id, client),
            createdAt=created_at,
            value=raw,
            valueDecimals=dec,
            tag1=tag1 or None,
            tag2=tag2 or None,
            endpoint=endpoint or None,
            **extra,
        )

    # ------------------------------------------------------------------ encoding
    @property
    def number(self):
        return decode_value(self.value, self.valueDecimals)

    def as_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)

    def canonical_bytes(self) -> bytes:
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def feedback_hash(self) -> bytes:
        """keccak256 of the canonical bytes: the ``feedbackHash`` given on chain."""
        return keccak(self.canonical_bytes())

    def data_uri(self) -> str:
        return "data:application/json;base64," + base64.b64encode(self.canonical_bytes()).decode()

    @classmethod
    def from_bytes(cls, data: bytes) -> FeedbackFile:
        return cls.model_validate(jsonsafe.loads(data))

    @classmethod
    def from_data_uri(cls, uri: str) -> FeedbackFile:
        prefix = "data:application/json;base64,"
        if not uri.startswith(prefix):
            raise ValueError("not a data:application/json;base64 URI")
        return cls.from_bytes(base64.b64decode(uri[len(prefix) :]))


def verify(content: bytes, feedback_hash: bytes) -> bool:
    """True when ``content`` (the bytes behind a feedbackURI) hashes to ``feedback_hash``."""
    return keccak(content) == bytes(feedback_hash)
