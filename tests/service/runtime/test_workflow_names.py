"""The names DBOS knows our workflows and steps by are a stored contract, not an implementation
detail: a pending workflow is resumed by its recorded name and replays its steps by theirs, so
a name that changes in a move or a rename strands every post mid-publish during the upgrade.
A name may change only together with `APPLICATION_VERSION`, and then this list changes too."""

from __future__ import annotations

import json
import subprocess
import sys

WORKFLOWS = {
    "media.retention",
    "posts.reconcile",
    "publish_post",
    "webhooks.deliver",
    "webhooks.deliver.scheduled",
}

STEPS = {
    "begin_step",
    "check_creator_step",
    "fail_step",
    "finish_step",
    "init_step",
    "media.retention.sweep",
    "outage_wait_step",
    "pace_step",
    "posts.reconcile.fail",
    "posts.reconcile.judge",
    "posts.reconcile.resume",
    "status_step",
    "transcode_step",
    "upload_step",
    "wait_for_cap_step",
    "webhooks.attempt",
    "webhooks.schedule",
}

# A process of its own, so the workflows tests register for themselves are not listed. DBOS
# keeps what is registered in one private registry; it has no public accessor.
LIST_REGISTERED = """
import importlib, json
from dbos._dbos import _get_or_create_dbos_registry
from tikpost.runtime.worker import WORKFLOW_MODULES
for module in WORKFLOW_MODULES:
    importlib.import_module(module)
print(json.dumps(sorted(_get_or_create_dbos_registry().workflow_info_map)))
"""

# DBOS also registers each step as a workflow of its own, under this prefix.
STEP_PREFIX = "<temp>."


def test_registered_names_are_the_committed_ones() -> None:
    listed = subprocess.run(
        [sys.executable, "-c", LIST_REGISTERED], capture_output=True, text=True, check=True
    )
    registered: list[str] = json.loads(listed.stdout.splitlines()[-1])
    steps = {name.removeprefix(STEP_PREFIX) for name in registered if name.startswith(STEP_PREFIX)}
    workflows = {name for name in registered if not name.startswith(STEP_PREFIX)}
    assert workflows == WORKFLOWS
    assert steps == STEPS
