"""The dashboard: a team's web UI at `/`, server-rendered (Jinja2 and htmx).

It is an HTTP edge like the domains' `endpoints` modules: its routes call the same service
functions the `/v1` routes call, so every rule lives once, in its domain.
"""
