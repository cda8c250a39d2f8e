"""The durable-work runtime: DBOS workflows, their steps, draining, and process liveness.

It sits between `kit` (generic plumbing) and the domains: domains declare workflows and queues
here and enqueue through it; `runtime.worker` is the one place that knows which domain modules
hold workflows. Kept out of `kit` because it knows about settings and the executor table.
"""
