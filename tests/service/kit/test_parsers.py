"""Property tests for the parsers that read outside input: any text in, a clean answer out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tikpost import metrics
from tikpost.kit.errors import ApiError
from tikpost.kit.parse import MAX_DIGITS, encodable, parse_seconds, parse_uint, to_utc
from tikpost.media.links import _byte_range
from tikpost.tiktok.errors import TikTokError
from tikpost.tiktok.models import UserInfo
from tikpost.tiktok.responses import parse_model
from tikpost.tiktok.webhooks import sign, verify_signature

SECRET = "s3cret"
# Any text, lone surrogates often among it (st.text() alone almost never makes one).
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=())
unicode_text = st.text(alphabet=st.one_of(st.characters(), surrogates))
# Text as a hostile client writes it: any code point, lone surrogates included, and digits of
# every script, plus what headers carry (latin-1 decoded bytes).
hostile = st.one_of(
    unicode_text,
    st.text(alphabet=st.characters(categories=["Nd", "No"])),
    st.binary().map(lambda raw: raw.decode("latin-1")),
    st.integers(min_value=0).map(str),
    # Past int()'s 4300-digit limit.
    st.builds(
        lambda digit, size: digit * size, st.sampled_from("0123456789"), st.integers(4000, 6000)
    ),
)


@given(hostile)
def test_parse_uint_takes_only_short_ascii_digit_runs(text: str) -> None:
    value = parse_uint(text)
    ascii_digits = text.isascii() and text.isdigit()
    if ascii_digits and len(text) <= MAX_DIGITS:
        assert value == int(text)
    else:
        assert value is None


@given(st.integers(min_value=10, max_value=10**MAX_DIGITS - 1))
def test_parse_uint_reads_what_str_writes(number: int) -> None:
    assert parse_uint(str(number)) == number
    assert parse_uint(str(number).encode()) == number
    assert parse_uint(str(number), max_digits=len(str(number)) - 1) is None


@given(st.binary())
def test_parse_uint_of_bytes_never_raises(raw: bytes) -> None:
    readable = raw.isdigit() and len(raw) <= MAX_DIGITS
    assert parse_uint(raw) == (int(raw) if readable else None)


@given(hostile, st.floats(min_value=0, max_value=1e6))
def test_parse_seconds_is_finite_and_bounded(text: str, limit: float) -> None:
    value = parse_seconds(text, limit)
    assert value is None or 0 <= value <= limit


@pytest.mark.parametrize("text", ["inf", "nan", "-1", "1e400", "", " ", "Wed, 21 Oct 2015"])
def test_parse_seconds_refuses_what_is_no_wait(text: str) -> None:
    assert parse_seconds(text, 60) is None


@given(unicode_text)
def test_encodable_is_exactly_utf8_encodable(text: str) -> None:
    has_lone_surrogate = any(0xD800 <= ord(char) <= 0xDFFF for char in text)
    assert encodable(text) is not has_lone_surrogate


@given(st.datetimes(), st.integers(min_value=-1439, max_value=1439))
def test_to_utc_converts_or_refuses(moment: datetime, offset_min: int) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_min)))
    try:
        converted = to_utc(aware)
    except ValueError:
        assert aware.year in (1, 9999)
    else:
        assert converted == aware
        assert converted.tzinfo is UTC


@given(hostile, st.integers(min_value=0, max_value=10**12))
def test_byte_range_never_fails_but_416(header: str, size: int) -> None:
    try:
        found = _byte_range(f"bytes={header}", size)
    except ApiError as error:
        status = error.status
    else:
        status = 206 if found else 200
        assert found is None or 0 <= found[0] < found[1] <= size
    assert status in (200, 206, 416)


@given(hostile, st.binary(max_size=200))
def test_a_forged_signature_header_is_just_false(header: str, body: bytes) -> None:
    assert verify_signature(header, body, SECRET) in (True, False)
    assert not verify_signature(f"t={header},s={'0' * 64}", body, SECRET)


@given(st.integers(min_value=0, max_value=2**40), st.binary(max_size=200))
def test_a_signature_we_made_verifies_when_fresh(stamp: int, body: bytes) -> None:
    header = sign(SECRET, body, stamp)
    assert verify_signature(header, body, SECRET, now=stamp + 10)
    assert not verify_signature(header, body, SECRET, now=stamp + 10_000)


@given(st.text(), st.integers(min_value=-(10**6), max_value=10**6))
def test_metric_labels_come_from_closed_sets(text: str, status: int) -> None:
    assert metrics.method_label(text) in metrics.METHODS | {metrics.OTHER}
    assert metrics.status_label(status) in metrics.STATUSES | {metrics.OTHER}
    assert metrics.tiktok_code_label(text) in metrics.TIKTOK_CODES | {metrics.OTHER}
    try:
        request = httpx.Request("POST", httpx.URL("https://open.tiktokapis.com/").join(text))
    except httpx.InvalidURL:
        assume(False)
    endpoint = metrics.tiktok_endpoint_label(request)
    assert endpoint in {*metrics.TIKTOK_ENDPOINTS, "upload", metrics.OTHER}


@given(unicode_text)
def test_tiktok_answers_holding_text_no_database_takes_are_invalid(name: str) -> None:
    data = {"open_id": "-000", "display_name": name}
    response = httpx.Response(200, request=httpx.Request("GET", "https://open.tiktokapis.com/"))
    if encodable(name):
        assert parse_model(UserInfo, data, response).display_name == name
    else:
        with pytest.raises(TikTokError) as raised:
            parse_model(UserInfo, data, response)
        assert raised.value.code == "invalid_response"
