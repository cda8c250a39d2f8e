"""Uploaded media: streamed into storage, probed in a child process, referenced by posts."""
