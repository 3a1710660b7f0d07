"""Shared fixtures: fresh stacks for template assertions, one reusable stack for validation errors."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_cdk import App, Stack

from constructs_lib import Source

PUBLIC_IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"
FIXTURE_APP = str(Path(__file__).parent / "fixtures" / "app")


@pytest.fixture
def stack() -> Stack:
    """A new stack per test, for template assertions."""
    return Stack(App(), "Test")


@pytest.fixture(scope="module")
def scratch() -> Stack:
    """One stack per module for constructs that must fail validation; it is never synthesized."""
    return Stack(App(), "Scratch")


_ids: Iterator[int] = itertools.count()


@pytest.fixture
def new_id() -> str:
    """A construct id not used before in this process (for the shared ``scratch`` stack)."""
    return f"C{next(_ids)}"


@pytest.fixture
def public_source() -> Source:
    return Source.from_ecr_public(PUBLIC_IMAGE)


@pytest.fixture(scope="session")
def asset_directory() -> str:
    """A tiny Docker build context (Docker itself is not needed to synthesize)."""
    return FIXTURE_APP
