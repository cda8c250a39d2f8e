"""A deterministic Commercial Music Library: the same tracks, ids and ranks on every run.

Each track has a `commercial_music_id` (which names the track but cannot be published) and one
or two song clips whose `song_clip_id` is what `music_sound_id` takes, as TikTok's trending list
answers them. A track trends in some countries, in some genres, since some number of days.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

# The top level of TikTok's CML genre enum (Post for Me's snapshot, docs/sandbox.md); the full
# enum has ~115 sub-genres, which the sandbox's tracks do not use.
GENRES = (
    "ROCK",
    "POP",
    "LATIN",
    "METAL",
    "ELECTRONIC",
    "HIP_HOP/RAP",
    "ALTERNATIVE/INDIE",
    "FOLK",
    "R&B/SOUL",
    "COUNTRY",
    "CLASSICAL",
    "JAZZ",
    "REGGAE",
    "CHILDHOOD",
    "BLUES",
    "EASY_LISTENING",
    "NEW_AGE",
    "WORLD_MUSIC",
    "EXPERIMENTAL",
    "DEVOTIONAL",
)
DATE_RANGES = {"1DAY": 1, "7DAY": 7, "30DAY": 30, "90DAY": 90}
COUNTRIES = ("US", "GB", "DE", "FR", "BR", "JP", "TH", "EG")
_USED_GENRES = ("POP", "ELECTRONIC", "HIP_HOP/RAP", "ROCK", "LATIN", "FOLK", "R&B/SOUL", "JAZZ")
_WORDS = (
    "Neon",
    "Velvet",
    "Paper",
    "Golden",
    "Static",
    "Midnight",
    "Cobalt",
    "Summer",
    "Echo",
    "Glass",
    "Wild",
    "Quiet",
)
_NOUNS = ("Hearts", "Skyline", "Motion", "Rivers", "Signal", "Bloom", "Tides", "Lights")
_ARTISTS = ("Mara Vey", "The Loomers", "DJ Kestrel", "Ana Sol", "Northbound", "Lio & Fen")
TRACK_COUNT = 24
_BASE_ID = 7_300_000_000_000_000_000
CDN = "https://sf16-sandbox.tiktokcdn.com/cml"


@dataclass(frozen=True)
class Clip:
    song_clip_id: str
    duration: int  # seconds, as TikTok gives clip durations

    def view(self) -> dict[str, Any]:
        return {
            "song_clip_id": self.song_clip_id,
            "duration": self.duration,
            "preview_url": f"{CDN}/clips/{self.song_clip_id}.mp3",
        }


@dataclass(frozen=True)
class Track:
    commercial_music_id: str
    name: str
    artist: str
    duration: int
    genres: tuple[str, ...]
    countries: tuple[str, ...]
    trending_days: int
    rank: int
    full_clip: Clip | None
    trending_clip: Clip

    def view(self) -> dict[str, Any]:
        return {
            "commercial_music_id": self.commercial_music_id,
            "commercial_music_name": self.name,
            "artist": self.artist,
            "duration": self.duration,
            "genres": [genre.title() for genre in self.genres],
            "rank_position": str(self.rank),
            "preview_url": f"{CDN}/tracks/{self.commercial_music_id}.mp3",
            "thumbnail_url": f"{CDN}/art/{self.commercial_music_id}.jpg",
            "full_duration_song_clip": self.full_clip.view() if self.full_clip else None,
            "trending_song_clip": self.trending_clip.view(),
        }


def _track(index: int) -> Track:
    number = _BASE_ID + index * 1000
    duration = 95 + (index * 37) % 140
    genres: tuple[str, ...] = (_USED_GENRES[index % len(_USED_GENRES)],)
    if index % 5 == 0:
        genres += (_USED_GENRES[(index + 3) % len(_USED_GENRES)],)
    others = tuple(c for j, c in enumerate(COUNTRIES[1:]) if (index + j) % 3 == 0)
    return Track(
        commercial_music_id=str(number + 1),
        name=f"{_WORDS[index % len(_WORDS)]} {_NOUNS[(index * 5) % len(_NOUNS)]}",
        artist=_ARTISTS[index % len(_ARTISTS)],
        duration=duration,
        genres=genres,
        countries=("US", *others),
        trending_days=(1, 7, 30, 90)[index % 4],
        rank=index + 1,
        # Some chart tracks have no full-length clip: only the trending one is publishable.
        full_clip=None if index % 6 == 5 else Clip(str(number + 2), duration),
        trending_clip=Clip(str(number + 3), min(30, duration)),
    )


@cache
def tracks() -> tuple[Track, ...]:
    return tuple(_track(index) for index in range(TRACK_COUNT))


def trending(country_code: str, genre: str, date_range: str) -> list[Track]:
    """The tracks trending in `country_code` within `date_range`, ranked; `genre` ALL or one."""
    days = DATE_RANGES[date_range]
    return [
        track
        for track in tracks()
        if country_code in track.countries
        and track.trending_days <= days
        and (genre == "ALL" or genre in track.genres)
    ]


def clip(song_clip_id: str) -> tuple[Track, Clip] | None:
    for track in tracks():
        for candidate in (track.full_clip, track.trending_clip):
            if candidate is not None and candidate.song_clip_id == song_clip_id:
                return track, candidate
    return None
