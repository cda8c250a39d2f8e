"""Kept for DBOS: `SupersededError` lived here before moving to `posts.publish.fencing`.

DBOS pickles what a workflow or step raised into its tables, and a pickle names the class by
its module path: a run superseded before the move is recorded as
`tikpost.posts.fencing.SupersededError`, and reading that record back (recovering the workflow,
listing it) needs this path to resolve. Remove only in a release whose upgrade notes require
that no workflow from before the move remains in DBOS's tables.
"""

from tikpost.posts.publish.fencing import SupersededError as SupersededError

__all__ = ["SupersededError"]
