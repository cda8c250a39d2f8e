"""Kept for DBOS: `TikTokUnavailableError` lived here before moving to `posts.publish.outage`.

DBOS pickles what a step raised into its tables, and a pickle names the class by its module
path: a post waiting out a TikTok outage during the upgrade replays its step's recorded
`tikpost.posts.outage.TikTokUnavailableError`, which must still load for the wait to go on.
Remove only in a release whose upgrade notes require that no workflow from before the move
remains in DBOS's tables.
"""

from tikpost.posts.publish.outage import TikTokUnavailableError as TikTokUnavailableError

__all__ = ["TikTokUnavailableError"]
