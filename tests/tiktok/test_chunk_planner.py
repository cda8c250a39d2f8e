"""The planner must hand TikTok a legal plan for every size it may meet, with any preference."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tikpost.tiktok import ChunkPlan, plan_chunks
from tikpost.tiktok.upload import MAX_VIDEO_SIZE

MIB = 1024 * 1024
DEFAULT_LIMITS = {
    "min_chunk_size": 5 * MIB,
    "max_chunk_size": 64_000_000,
    "max_final_chunk_size": 128_000_000,
    "max_chunk_count": 1000,
}


def assert_legal(plan: ChunkPlan, size: int, limits: dict[str, int]) -> None:
    """TikTok's media-transfer rules (tiktok-api.md section 3), restated independently."""
    low, high = limits["min_chunk_size"], limits["max_chunk_size"]
    assert plan.video_size == size
    assert plan.total_chunk_count == size // plan.chunk_size
    assert 1 <= plan.total_chunk_count <= limits["max_chunk_count"]
    if size < low:
        assert (plan.chunk_size, plan.total_chunk_count) == (size, 1)
        return
    if plan.total_chunk_count == 1:
        assert plan.chunk_size == size, "one chunk must declare chunk_size == video_size"
        assert size <= high, "files over the max chunk size must be split"
    else:
        assert low <= plan.chunk_size <= high
    ranges = plan.ranges()
    assert len(ranges) == plan.total_chunk_count
    lengths = [last - first + 1 for first, last in ranges]
    assert all(length == plan.chunk_size for length in lengths[:-1])
    assert low <= lengths[-1] <= max(limits["max_final_chunk_size"], high)
    assert lengths[-1] == plan.final_chunk_size


def assert_covers(plan: ChunkPlan) -> None:
    ranges = plan.ranges()
    assert ranges[0][0] == 0
    assert ranges[-1][1] == plan.video_size - 1
    for (_, last), (first, _) in itertools.pairwise(ranges):
        assert first == last + 1


sizes = st.one_of(
    st.integers(min_value=1, max_value=MAX_VIDEO_SIZE),
    st.integers(min_value=1, max_value=200 * MIB),
    st.sampled_from([5 * MIB - 1, 5 * MIB, 64_000_000, 64_000_001, 128_000_000, MAX_VIDEO_SIZE]),
)
preferences = st.one_of(
    st.integers(min_value=1, max_value=2 * MAX_VIDEO_SIZE),
    st.sampled_from([1, 5 * MIB, 10_000_000, 64_000_000, 64 * MIB, 128_000_000]),
)


@settings(max_examples=600, deadline=None)
@given(size=sizes, preferred=preferences)
@example(size=MAX_VIDEO_SIZE, preferred=1)
@example(size=MAX_VIDEO_SIZE, preferred=MAX_VIDEO_SIZE)
@example(size=64_000_001, preferred=64_000_000)
@example(size=128_000_001, preferred=64_000_000)
@example(size=15_000_000, preferred=10_000_000)
def test_every_plan_follows_tiktoks_rules(size: int, preferred: int) -> None:
    plan = plan_chunks(size, preferred)
    assert_legal(plan, size, DEFAULT_LIMITS)
    assert_covers(plan)


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=50_000_000),
    preferred=st.integers(min_value=1, max_value=3_000_000),
)
def test_small_limits_are_respected_too(size: int, preferred: int) -> None:
    limits = {
        "min_chunk_size": 65536,
        "max_chunk_size": 1_000_000,
        "max_final_chunk_size": 2_000_000,
        "max_chunk_count": 1000,
    }
    plan = plan_chunks(size, preferred, **limits)
    assert_legal(plan, size, limits)
    assert_covers(plan)


@settings(max_examples=200, deadline=None)
@given(size=st.integers(min_value=64_000_001, max_value=MAX_VIDEO_SIZE))
def test_preferred_size_is_kept_when_it_is_legal(size: int) -> None:
    plan = plan_chunks(size, 10_000_000)
    assert plan.chunk_size == 10_000_000


def test_docs_worked_example_multi_chunk() -> None:
    plan = plan_chunks(50_000_123, 10_000_000)
    assert (plan.chunk_size, plan.total_chunk_count) == (10_000_000, 5)
    assert plan.ranges() == [
        (0, 9_999_999),
        (10_000_000, 19_999_999),
        (20_000_000, 29_999_999),
        (30_000_000, 39_999_999),
        (40_000_000, 50_000_122),
    ]
    assert plan.final_chunk_size == 10_000_123


def test_docs_worked_example_whole_upload() -> None:
    plan = plan_chunks(4_194_304)
    assert plan == ChunkPlan(4_194_304, 4_194_304, 1)
    assert plan.ranges() == [(0, 4_194_303)]


def test_mid_sized_file_never_declares_a_misleading_single_chunk() -> None:
    # floor(15 MB / 10 MB) == 1, so chunk_size 10 MB would misdescribe the one 15 MB chunk
    # (simstudioai/sim #5568); the nearest legal plan is two 7.5 MB chunks.
    assert plan_chunks(15_000_000, 10_000_000) == ChunkPlan(15_000_000, 7_500_000, 2)
    assert plan_chunks(12_000_000, 12_000_000) == ChunkPlan(12_000_000, 12_000_000, 1)


def test_over_max_is_split_even_when_preferred_is_huge() -> None:
    plan = plan_chunks(64_000_001, 10**12)
    assert plan.total_chunk_count == 2
    assert plan.chunk_size <= 64_000_000


@pytest.mark.parametrize("size", [0, -1, MAX_VIDEO_SIZE + 1])
def test_out_of_range_sizes_are_refused(size: int) -> None:
    with pytest.raises(ValueError, match="video_size"):
        plan_chunks(size)


def test_impossible_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="no chunk plan"):
        plan_chunks(MAX_VIDEO_SIZE, min_chunk_size=65536, max_chunk_size=1_000_000)


def test_chunk_plan_refuses_a_count_that_breaks_the_formula() -> None:
    with pytest.raises(ValueError, match="floor"):
        ChunkPlan(75_064_653, 37_532_327, 2)  # Postiz's "balanced" plan


def test_offsets_map_to_chunks_and_resume_points() -> None:
    plan = plan_chunks(50_000_123, 10_000_000)
    assert plan.chunk_index_at(0) == 0
    assert plan.chunk_index_at(9_999_999) == 0
    assert plan.chunk_index_at(10_000_000) == 1
    assert plan.chunk_index_at(50_000_122) == 4
    assert plan.resume_offset(0) == 0
    assert plan.resume_offset(25_000_000) == 20_000_000
    assert plan.resume_offset(50_000_123) == 50_000_123
    with pytest.raises(ValueError, match="offset"):
        plan.chunk_index_at(50_000_123)
