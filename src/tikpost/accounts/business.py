"""Business accounts: connected through the Business API app, which has no creator_info and
no user info, but a profile, video settings and the Commercial Music Library's trending list.

What the rest of tikpost reads of an account (creator_info's shape) is made here from the
Business API's answers, so the composer, the intake's rules and the publish workflow's creator
check treat both kinds of account alike.
"""

from __future__ import annotations

from tikpost.accounts.models import Account, AccountApi
from tikpost.accounts.schemas import AccountRead, SoundRead
from tikpost.tiktok import CreatorInfo, TokenSet
from tikpost.tiktok.business import (
    BusinessAccountClient,
    BusinessProfile,
    TikTokBusinessApp,
    TrendingTrack,
    VideoSettings,
)


async def identity(app: TikTokBusinessApp, code: str) -> tuple[TokenSet, BusinessProfile]:
    """Trade the consent's code, then read who consented."""
    async with app.oauth_client() as oauth:
        tokens = await oauth.exchange_code(code, app.redirect_uri)
    async with app.account_client(tokens.access_token, tokens.open_id) as client:
        profile = await client.profile()
    return tokens.as_token_set(), profile


# The one privacy a video through the Business API has (it takes no privacy field at all).
PUBLIC = "PUBLIC_TO_EVERYONE"


def is_business(account: Account | AccountRead | None) -> bool:
    """Connected through the Business API app, so posting through it (`AccountApi`)."""
    return account is not None and account.api == AccountApi.BUSINESS


def as_creator_info(account: Account, settings: VideoSettings) -> CreatorInfo:
    """Video settings in creator_info's shape, the names from the account as connected. The
    settings list the account's other privacy levels too (photos take them), but a video
    through the Business API is public whatever is asked, and tikpost sends it videos only,
    so public is all that is offered."""
    username = account.username or account.open_id
    return CreatorInfo(
        creator_username=username,
        creator_nickname=account.display_name or username,
        creator_avatar_url=account.avatar_url,
        privacy_level_options=[o for o in settings.privacy_level_options if o == PUBLIC],
        comment_disabled=settings.comment_disabled,
        duet_disabled=settings.duet_disabled,
        stitch_disabled=settings.stitch_disabled,
        max_video_post_duration_sec=settings.max_video_post_duration_sec,
    )


async def creator_info(client: BusinessAccountClient, account: Account) -> CreatorInfo:
    return as_creator_info(account, await client.video_settings())


def sounds_of(tracks: list[TrendingTrack], query: str | None) -> list[SoundRead]:
    """Every publishable clip of the tracks (a track's trending clip first), matching `query`
    in the track's name or artist, case-insensitively: TikTok's list has no search."""
    needle = (query or "").strip().casefold()
    found: list[SoundRead] = []
    for track in tracks:
        name, artist = track.commercial_music_name or "", track.artist or ""
        if needle and needle not in name.casefold() and needle not in artist.casefold():
            continue
        clips = [("trending", track.trending_song_clip), ("full", track.full_duration_song_clip)]
        for kind, clip in clips:
            if clip is None:
                continue
            found.append(
                SoundRead(
                    id=clip.song_clip_id,
                    clip=kind,
                    track_id=track.commercial_music_id,
                    name=name or track.commercial_music_id,
                    artist=track.artist,
                    duration_sec=clip.duration,
                    genres=track.genres,
                    preview_url=clip.preview_url or track.preview_url,
                    thumbnail_url=track.thumbnail_url,
                )
            )
    return found
