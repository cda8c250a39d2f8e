"""What the dashboard shows differently for a business account (TikTok's API for Business).

Its videos are always public (the Business API has no privacy field, so the server refuses
any other level with business_videos_are_public), it takes no photo carousels, and its videos
may carry a commercial sound. The pages offer only what the server would accept, so a person
never picks a choice that is refused at the end.
"""

from __future__ import annotations

PUBLIC_NOTICE = "Videos posted through TikTok's API for Business are public."
# The top level of the Commercial Music Library's genre enum, as its trending list takes it
# (the full enum's sub-genres are too many for a select; "ALL" is no filter).
GENRES = (
    ("ALL", "All genres"),
    ("POP", "Pop"),
    ("HIP_HOP/RAP", "Hip hop / rap"),
    ("ELECTRONIC", "Electronic"),
    ("ROCK", "Rock"),
    ("LATIN", "Latin"),
    ("R&B/SOUL", "R&B / soul"),
    ("ALTERNATIVE/INDIE", "Alternative / indie"),
    ("COUNTRY", "Country"),
    ("FOLK", "Folk"),
    ("JAZZ", "Jazz"),
    ("CLASSICAL", "Classical"),
    ("METAL", "Metal"),
    ("REGGAE", "Reggae"),
    ("BLUES", "Blues"),
    ("WORLD_MUSIC", "World music"),
    ("EASY_LISTENING", "Easy listening"),
    ("NEW_AGE", "New age"),
    ("CHILDHOOD", "Childhood"),
    ("DEVOTIONAL", "Devotional"),
    ("EXPERIMENTAL", "Experimental"),
)


def clip_length(seconds: int | None) -> str:
    """m:ss, as TikTok's app shows a sound's length; "" when TikTok gave none."""
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"
