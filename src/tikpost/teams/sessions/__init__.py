"""Dashboard sign-in: server-side browser sessions and one-time sign-in links."""
