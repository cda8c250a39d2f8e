"""Posts and their publishing: the request, its rules, and the durable workflow behind it."""
