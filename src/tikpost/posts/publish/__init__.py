"""Publishing a post to TikTok: the workflow, its steps, and the reconciler that restarts them.

Apart from accepting a post (`posts.intake`): nothing here runs on a request, only in DBOS.
"""
