"""`post_info.music_sound_info`: which clip, how loud, which part, checked as TikTok checks it.

Both volumes default to 0 (the publish page's default, where TikTok's app uses 50), so a track
named without volumes is recorded as a mute post rather than guessed louder.
"""

from __future__ import annotations

from typing import Any

from tikpost.sandbox.business import catalogue
from tikpost.sandbox.business.envelope import INVALID_PARAMS, SOMETHING_WRONG, BusinessError
from tikpost.sandbox.business.state import Sound

VOLUME_FIELDS = ("music_sound_volume", "video_original_sound_volume")


def _integer(value: Any, name: str, low: int, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise BusinessError(INVALID_PARAMS, f"music_sound_info.{name} must be an integer ≥ {low}.")
    if high is not None and value > high:
        raise BusinessError(INVALID_PARAMS, f"music_sound_info.{name} must be {low}-{high}.")
    return value


def parse(info: Any, *, with_volumes: bool) -> Sound:
    """A photo's sound is a clip id only (its music_sound_info documents no volumes): the
    track is all a photo post plays, so it is recorded at full volume over no original sound."""
    if not isinstance(info, dict):
        raise BusinessError(INVALID_PARAMS, "post_info.music_sound_info must be an object.")
    sound_id = info.get("music_sound_id")
    if not isinstance(sound_id, str) or not sound_id.strip():
        raise BusinessError(
            INVALID_PARAMS, "music_sound_info.music_sound_id: Missing data for required field."
        )
    found = catalogue.clip(sound_id.strip())
    if found is None:
        # TikTok's answer to a commercial_music_id or any id that is not a song clip's.
        raise BusinessError(SOMETHING_WRONG, "Something is wrong, please try again later.")
    track, clip = found
    clip_ms = clip.duration * 1000
    volumes = {
        name: _integer(info[name], name, 0, 100) if with_volumes and name in info else 0
        for name in VOLUME_FIELDS
    }
    start = _integer(info.get("music_sound_start", 0), "music_sound_start", 0, clip_ms - 1)
    end = info.get("music_sound_end")
    if end is not None:
        end = _integer(end, "music_sound_end", start + 1, clip_ms)
    return Sound(
        music_sound_id=clip.song_clip_id,
        commercial_music_id=track.commercial_music_id,
        title=track.name,
        clip_duration_ms=clip_ms,
        music_sound_volume=volumes["music_sound_volume"] if with_volumes else 100,
        video_original_sound_volume=volumes["video_original_sound_volume"],
        music_sound_start=start,
        music_sound_end=end,
    )
