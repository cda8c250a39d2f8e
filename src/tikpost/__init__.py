"""tikpost: publish to TikTok through the official Content Posting API, self-hosted."""

__version__ = "0.1.0"
