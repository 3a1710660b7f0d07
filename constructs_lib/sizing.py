"""CPU and memory of an instance or task, validated alone and as a pair for each platform.

``Cpu`` and ``Memory`` hold any size one of the platforms offers (App Runner's are a subset
of Fargate's); each service checks the pair against its own platform.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Sequence
from typing import ClassVar, Self

from aws_cdk import Token

MIB_PER_GB = 1024
# Fargate's task sizes (Linux): CPU units -> memory sizes in MiB it accepts with them.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
_FARGATE_PAIRS: dict[int, range | tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: range(1024, 4096 + 1, 1024),
    1024: range(2048, 8192 + 1, 1024),
    2048: range(4096, 16384 + 1, 1024),
    4096: range(8192, 30720 + 1, 1024),
    8192: range(16384, 61440 + 1, 4096),
    16384: range(32768, 122880 + 1, 8192),
}
# App Runner's instance sizes: vCPU -> memory sizes in GB it accepts with them.
_APP_RUNNER_PAIRS: dict[str, tuple[str, ...]] = {
    "0.25": ("0.5", "1"),
    "0.5": ("1",),
    "1": ("2", "3", "4"),
    "2": ("4", "6"),
    "4": ("8", "10", "12"),
}
_UNITS_PER_VCPU = 1024
_CPU_UNITS = tuple(_FARGATE_PAIRS)
_MEMORY_MIB = tuple(sorted({mib for sizes in _FARGATE_PAIRS.values() for mib in sizes}))
_CPU_TEXT = re.compile(r"^(?P<n>[0-9.]+) ?vCPU$", re.IGNORECASE)
_MEMORY_TEXT = re.compile(r"^(?P<n>[0-9.]+) ?GB$", re.IGNORECASE)


def _number(text: str) -> str:
    """``text`` as a short decimal string ("1", "0.25"), as App Runner spells sizes."""
    return f"{float(text):g}"


def _vcpus(units: int) -> str:
    return _number(str(units / _UNITS_PER_VCPU))


def _gigabytes(mebibytes: int) -> str:
    return _number(str(mebibytes / MIB_PER_GB))


def _normalize_cpu(value: str) -> str:
    text = value.strip()
    match = _CPU_TEXT.match(text)
    units = None
    if match:
        try:
            units = round(float(match.group("n")) * _UNITS_PER_VCPU)
        except ValueError:
            units = None
    elif text.isdigit():
        units = int(text)
    if units not in _FARGATE_PAIRS:
        allowed = ", ".join(f"{_vcpus(n)} vCPU" for n in _CPU_UNITS)
        raise ValueError(
            f"`cpu` must be one of {allowed} (or CPU units {_CPU_UNITS[0]}..{_CPU_UNITS[-1]}), got {value!r}"
        )
    return f"{_vcpus(units)} vCPU"


def _normalize_memory(value: str) -> str:
    text = value.strip()
    match = _MEMORY_TEXT.match(text)
    mebibytes = None
    if match:
        try:
            exact = float(match.group("n")) * MIB_PER_GB
        except ValueError:
            exact = None
        mebibytes = int(exact) if exact is not None and exact.is_integer() else None
    elif text.isdigit():
        mebibytes = int(text)
    if mebibytes not in _MEMORY_MIB:
        raise ValueError(
            "`memory` must be one of 0.5 GB, 1-30 GB, 32-60 GB in steps of 4 or 64-120 GB in steps of 8 "
            f"(or MB {_MEMORY_MIB[0]}..{_MEMORY_MIB[-1]}), got {value!r}"
        )
    return f"{_gigabytes(mebibytes)} GB"


class _Size(abc.ABC):
    """A size string, normalized and validated unless it is a token."""

    @staticmethod
    @abc.abstractmethod
    def _normalize(value: str) -> str:
        """The canonical string for ``value``, or ``ValueError``."""

    def __init__(self, value: str) -> None:
        self.value = value if Token.is_unresolved(value) else type(self)._normalize(value)

    @classmethod
    def of(cls, value: str) -> Self:
        """A size from its string form; unresolved tokens pass through unchecked."""
        return cls(value)

    def is_unresolved(self) -> bool:
        return Token.is_unresolved(self.value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"


class Cpu(_Size):
    """vCPUs per instance or task, e.g. ``Cpu.ONE_VCPU`` or ``Cpu.of("1 vCPU")``.

    ``"0.25 vCPU"``..``"16 vCPU"`` (Fargate's sizes; App Runner offers 0.25-4), or CPU
    units ``"256"``..``"16384"``. ``value`` is App Runner's ``"<n> vCPU"`` form.
    """

    @staticmethod
    def _normalize(value: str) -> str:
        return _normalize_cpu(value)

    @property
    def units(self) -> str:
        """CPU units (1024 per vCPU) as ECS renders them, e.g. ``"1024"``; a token as it is."""
        if self.is_unresolved():
            return self.value
        return str(round(float(self.value.split()[0]) * _UNITS_PER_VCPU))

    QUARTER_VCPU: ClassVar[Cpu]
    HALF_VCPU: ClassVar[Cpu]
    ONE_VCPU: ClassVar[Cpu]
    TWO_VCPU: ClassVar[Cpu]
    FOUR_VCPU: ClassVar[Cpu]
    EIGHT_VCPU: ClassVar[Cpu]
    SIXTEEN_VCPU: ClassVar[Cpu]


class Memory(_Size):
    """Memory per instance or task, e.g. ``Memory.TWO_GB`` or ``Memory.of("2 GB")``.

    ``"0.5 GB"``, ``"1 GB"``..``"120 GB"`` (Fargate's sizes; App Runner offers 0.5-12 GB),
    or MB ``"512"``..``"122880"``. ``value`` is App Runner's ``"<n> GB"`` form.
    """

    @staticmethod
    def _normalize(value: str) -> str:
        return _normalize_memory(value)

    @property
    def mebibytes(self) -> str:
        """MiB as ECS renders them, e.g. ``"2048"``; a token as it is."""
        if self.is_unresolved():
            return self.value
        return str(round(float(self.value.split()[0]) * MIB_PER_GB))

    HALF_GB: ClassVar[Memory]
    ONE_GB: ClassVar[Memory]
    TWO_GB: ClassVar[Memory]
    THREE_GB: ClassVar[Memory]
    FOUR_GB: ClassVar[Memory]
    SIX_GB: ClassVar[Memory]
    EIGHT_GB: ClassVar[Memory]
    TEN_GB: ClassVar[Memory]
    TWELVE_GB: ClassVar[Memory]
    SIXTEEN_GB: ClassVar[Memory]
    THIRTY_TWO_GB: ClassVar[Memory]


Cpu.QUARTER_VCPU = Cpu("0.25 vCPU")
Cpu.HALF_VCPU = Cpu("0.5 vCPU")
Cpu.ONE_VCPU = Cpu("1 vCPU")
Cpu.TWO_VCPU = Cpu("2 vCPU")
Cpu.FOUR_VCPU = Cpu("4 vCPU")
Cpu.EIGHT_VCPU = Cpu("8 vCPU")
Cpu.SIXTEEN_VCPU = Cpu("16 vCPU")
Memory.HALF_GB = Memory("0.5 GB")
Memory.ONE_GB = Memory("1 GB")
Memory.TWO_GB = Memory("2 GB")
Memory.THREE_GB = Memory("3 GB")
Memory.FOUR_GB = Memory("4 GB")
Memory.SIX_GB = Memory("6 GB")
Memory.EIGHT_GB = Memory("8 GB")
Memory.TEN_GB = Memory("10 GB")
Memory.TWELVE_GB = Memory("12 GB")
Memory.SIXTEEN_GB = Memory("16 GB")
Memory.THIRTY_TWO_GB = Memory("32 GB")


def _gb_list(sizes: Sequence[str]) -> str:
    return ", ".join(f"{n} GB" for n in sizes)


def check_app_runner_pair(cpu: Cpu, memory: Memory) -> None:
    """Reject a CPU/memory combination App Runner does not offer (cfn-lint does not catch it)."""
    if cpu.is_unresolved() or memory.is_unresolved():
        return
    vcpu = cpu.value.split()[0]
    if vcpu not in _APP_RUNNER_PAIRS:
        choices = ", ".join(f"{n} vCPU" for n in _APP_RUNNER_PAIRS)
        raise ValueError(f"`cpu` {cpu.value!r} is not available on App Runner; choose one of {choices}")
    allowed = _APP_RUNNER_PAIRS[vcpu]
    if memory.value.split()[0] not in allowed:
        raise ValueError(
            f"`memory` {memory.value!r} is not available with `cpu` {cpu.value!r}; "
            f"with {cpu.value} choose one of {_gb_list(allowed)}"
        )


def check_fargate_pair(cpu: Cpu, memory: Memory) -> None:
    """Reject a CPU/memory combination Fargate does not offer (cfn-lint does not catch it)."""
    if cpu.is_unresolved() or memory.is_unresolved():
        return
    allowed = _FARGATE_PAIRS[int(cpu.units)]
    if int(memory.mebibytes) in allowed:
        return
    if isinstance(allowed, range):
        step = _gigabytes(allowed.step)
        choices = f"{_gigabytes(allowed.start)}-{_gigabytes(allowed[-1])} GB in steps of {step} GB"
    else:
        choices = "one of " + _gb_list([_gigabytes(n) for n in allowed])
    raise ValueError(
        f"`memory` {memory.value!r} is not available with `cpu` {cpu.value!r} on Fargate; "
        f"with {cpu.value} choose {choices}"
    )
