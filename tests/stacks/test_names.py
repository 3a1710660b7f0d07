"""cdk.shared.names: names cut to a length limit stay apart."""

from __future__ import annotations

from cdk.shared.names import bounded_name


def test_a_name_within_the_limit_is_kept() -> None:
    assert bounded_name("StagingChaosStack", 17) == "StagingChaosStack"


def test_a_longer_name_is_cut_to_the_limit_and_ends_in_a_hash_of_itself() -> None:
    # sha256("VeryLongStagingEnvironmentPrefix42-ChaosStack") starts with 2f754f9f.
    name = "VeryLongStagingEnvironmentPrefix42-ChaosStack"
    assert bounded_name(name, 32) == "VeryLongStagingEnvironm-2f754f9f"


def test_long_names_that_share_their_start_stay_apart() -> None:
    first, second = (bounded_name(f"VeryLongStagingEnvironmentPrefix{n}-ChaosStack", 32) for n in (1, 2))
    assert first != second


def test_no_double_hyphen_where_the_cut_falls_on_one() -> None:
    name = "A" * 22 + "-" + "B" * 20  # the cut keeps 23 characters, the last a hyphen
    assert bounded_name(name, 32) == "A" * 22 + "-60e5d785"
