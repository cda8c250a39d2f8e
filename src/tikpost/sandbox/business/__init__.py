"""TikTok's API for Business (Accounts API) as the sandbox emulates it: its own app, tokens,
envelope, limits and posts, on `/open_api/v1.3/...`, beside the Content Posting API.

Nothing here is imported by `sandbox.state` or `sandbox.config` except the plain `state` and
`config` modules, so the Content Posting emulator stays whole without it.
"""
