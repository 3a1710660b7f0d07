"""CPU and memory of an App Runner instance, validated alone and as a pair."""

from __future__ import annotations

import abc
import re
from typing import ClassVar, Self

from aws_cdk import Token

# vCPU -> memory sizes App Runner accepts with it (GB).
_VALID_PAIRS: dict[str, tuple[str, ...]] = {
    "0.25": ("0.5", "1"),
    "0.5": ("1",),
    "1": ("2", "3", "4"),
    "2": ("4", "6"),
    "4": ("8", "10", "12"),
}
_MEMORY_GB = ("0.5", "1", "2", "3", "4", "6", "8", "10", "12")
# App Runner also accepts CPU units and MB; normalize them to the "1 vCPU" / "2 GB" form.
_CPU_UNITS = {"256": "0.25", "512": "0.5", "1024": "1", "2048": "2", "4096": "4"}
_MEMORY_MB = {"512": "0.5", "1024": "1", "2048": "2", "3072": "3", "4096": "4", "6144": "6",
              "8192": "8", "10240": "10", "12288": "12"}  # fmt: skip
_CPU_TEXT = re.compile(r"^(?P<n>[0-9.]+) ?vCPU$", re.IGNORECASE)
_MEMORY_TEXT = re.compile(r"^(?P<n>[0-9.]+) ?GB$", re.IGNORECASE)


def _normalize_cpu(value: str) -> str:
    match = _CPU_TEXT.match(value.strip())
    vcpu = match.group("n") if match else _CPU_UNITS.get(value.strip())
    if vcpu not in _VALID_PAIRS:
        allowed = ", ".join(f"{n} vCPU" for n in _VALID_PAIRS)
        raise ValueError(f"`cpu` must be one of {allowed} (or CPU units 256..4096), got {value!r}")
    return f"{vcpu} vCPU"


def _normalize_memory(value: str) -> str:
    match = _MEMORY_TEXT.match(value.strip())
    gigabytes = match.group("n") if match else _MEMORY_MB.get(value.strip())
    if gigabytes not in _MEMORY_GB:
        allowed = ", ".join(f"{n} GB" for n in _MEMORY_GB)
        raise ValueError(f"`memory` must be one of {allowed} (or MB 512..12288), got {value!r}")
    return f"{gigabytes} GB"


class _Size(abc.ABC):
    """An App Runner size string, normalized and validated unless it is a token."""

    @staticmethod
    @abc.abstractmethod
    def _normalize(value: str) -> str:
        """The canonical App Runner string for ``value``, or ``ValueError``."""

    def __init__(self, value: str) -> None:
        self.value = value if Token.is_unresolved(value) else type(self)._normalize(value)

    @classmethod
    def of(cls, value: str) -> Self:
        """A size from App Runner's string form; unresolved tokens pass through unchecked."""
        return cls(value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"


class Cpu(_Size):
    """vCPUs per instance, rendered as App Runner's ``"<n> vCPU"`` string.

    Use the constants or ``Cpu.of("1 vCPU")``: ``"0.25 vCPU"``..``"4 vCPU"``, or CPU
    units ``"256"``..``"4096"``.
    """

    @staticmethod
    def _normalize(value: str) -> str:
        return _normalize_cpu(value)

    QUARTER_VCPU: ClassVar[Cpu]
    HALF_VCPU: ClassVar[Cpu]
    ONE_VCPU: ClassVar[Cpu]
    TWO_VCPU: ClassVar[Cpu]
    FOUR_VCPU: ClassVar[Cpu]


class Memory(_Size):
    """Memory per instance, rendered as App Runner's ``"<n> GB"`` string.

    Use the constants or ``Memory.of("2 GB")``: ``"0.5 GB"``..``"12 GB"``, or MB
    ``"512"``..``"12288"``.
    """

    @staticmethod
    def _normalize(value: str) -> str:
        return _normalize_memory(value)

    HALF_GB: ClassVar[Memory]
    ONE_GB: ClassVar[Memory]
    TWO_GB: ClassVar[Memory]
    THREE_GB: ClassVar[Memory]
    FOUR_GB: ClassVar[Memory]
    SIX_GB: ClassVar[Memory]
    EIGHT_GB: ClassVar[Memory]
    TEN_GB: ClassVar[Memory]
    TWELVE_GB: ClassVar[Memory]


Cpu.QUARTER_VCPU = Cpu("0.25 vCPU")
Cpu.HALF_VCPU = Cpu("0.5 vCPU")
Cpu.ONE_VCPU = Cpu("1 vCPU")
Cpu.TWO_VCPU = Cpu("2 vCPU")
Cpu.FOUR_VCPU = Cpu("4 vCPU")
Memory.HALF_GB = Memory("0.5 GB")
Memory.ONE_GB = Memory("1 GB")
Memory.TWO_GB = Memory("2 GB")
Memory.THREE_GB = Memory("3 GB")
Memory.FOUR_GB = Memory("4 GB")
Memory.SIX_GB = Memory("6 GB")
Memory.EIGHT_GB = Memory("8 GB")
Memory.TEN_GB = Memory("10 GB")
Memory.TWELVE_GB = Memory("12 GB")


def check_pair(cpu: Cpu, memory: Memory) -> None:
    """Reject a CPU/memory combination App Runner does not offer (cfn-lint does not catch it)."""
    if Token.is_unresolved(cpu.value) or Token.is_unresolved(memory.value):
        return
    vcpu = cpu.value.split()[0]
    gigabytes = memory.value.split()[0]
    allowed = _VALID_PAIRS[vcpu]
    if gigabytes not in allowed:
        choices = ", ".join(f"{n} GB" for n in allowed)
        raise ValueError(
            f"`memory` {memory.value!r} is not available with `cpu` {cpu.value!r}; "
            f"with {cpu.value} choose one of {choices}"
        )
