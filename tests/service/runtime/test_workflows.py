"""The DBOS runtime: configuration from Settings, partitioned delayed queues, idempotent
enqueues, one runtime per process, and the startup sweep that repairs a lost enqueue."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from dbos import DBOS, WorkflowHandleAsync

from tests.service.conftest import CliInvoker, ServiceFactory, SettingsFactory
from tests.service.webhook_helpers import receiver, team_id, wait_for_delivery
from tikpost import migrations
from tikpost.kit.db import Database
from tikpost.runtime import workflows
from tikpost.runtime.worker import run_worker
from tikpost.runtime.workflows import QueueSpec, WorkflowRuntime, declare_queue, enqueue
from tikpost.teams import repository as teams_repository
from tikpost.webhooks import service as webhooks
from tikpost.webhooks.schemas import EndpointCreate

# Declared at import, like a domain's queue: every runtime in this process registers it.
TEST_QUEUE = declare_queue(QueueSpec("test-partitioned", partition_concurrency=10))
runs: list[tuple[str, str, float]] = []


@DBOS.workflow(name="tests.record")
async def record(label: str) -> str:
    runs.append((label, DBOS.workflow_id or "", time.time()))
    return label


def test_system_database_and_executor_id(settings_factory: SettingsFactory) -> None:
    settings = settings_factory()
    url = workflows.system_database_url(settings)
    if settings.database_url.startswith("sqlite"):
        assert url == f"sqlite:///{settings.data_dir / 'dbos.sqlite'}"
    else:
        assert url.startswith("postgresql+psycopg://")
        assert url.endswith("_dbos")
    explicit = settings_factory(dbos_database_url="sqlite:////tmp/elsewhere.sqlite")
    assert workflows.system_database_url(explicit) == "sqlite:////tmp/elsewhere.sqlite"

    serve_id = workflows.executor_id_for(settings)
    assert serve_id == workflows.executor_id_for(settings_factory())  # stable across restarts
    assert serve_id.startswith("serve-")
    assert workflows.executor_id_for(settings_factory(executor_id="worker-7")) == "worker-7"
    config = workflows.dbos_config(settings, serve_id)
    assert config["application_version"] == workflows.APPLICATION_VERSION
    assert config["executor_id"] == serve_id


def test_partitioned_delayed_and_idempotent_enqueue(settings_factory: SettingsFactory) -> None:
    settings = settings_factory()
    migrations.upgrade(settings.database_url)  # the startup sweeps read the app's tables
    runtime = WorkflowRuntime(settings, "test-executor")
    runs.clear()

    async def main() -> None:
        await runtime.start()
        try:
            started = time.time()
            await enqueue(
                TEST_QUEUE,
                record,
                "later",
                workflow_id="wf-later",
                partition_key="acct_a",
                delay_seconds=2.5,
            )
            await enqueue(TEST_QUEUE, record, "now", workflow_id="wf-now", partition_key="acct_b")
            # Same id again (a retry, a sweep): nothing new happens.
            await enqueue(
                TEST_QUEUE, record, "now-again", workflow_id="wf-now", partition_key="acct_b"
            )
            assert await workflows.workflow_exists("wf-later")
            assert not await workflows.workflow_exists("wf-never")
            for workflow_id, label in (("wf-later", "later"), ("wf-now", "now")):
                handle: WorkflowHandleAsync[str] = await DBOS.retrieve_workflow_async(workflow_id)
                assert await handle.get_result() == label
            by_label = {label: at for label, _, at in runs}
            assert by_label["later"] - started >= 2.4
            assert by_label["now"] < by_label["later"]
        finally:
            await runtime.stop()

    asyncio.run(main())
    assert sorted((label, wid) for label, wid, _ in runs) == [
        ("later", "wf-later"),
        ("now", "wf-now"),
    ]
    assert not workflows.runtime_running()


def test_one_runtime_per_process(settings_factory: SettingsFactory) -> None:
    settings = settings_factory()
    migrations.upgrade(settings.database_url)  # executors announce themselves in the app's tables
    first = WorkflowRuntime(settings, "test-one")
    second = WorkflowRuntime(settings, "test-two")

    async def main() -> None:
        await first.start()
        try:
            with pytest.raises(RuntimeError, match="process-wide singleton"):
                await second.start()
            assert workflows.current_runtime() is first
        finally:
            await first.stop()
        with pytest.raises(RuntimeError, match="no workflow runtime"):
            workflows.current_runtime()
        with pytest.raises(RuntimeError, match="no workflow runtime"):
            await enqueue(TEST_QUEUE, record, "x", workflow_id="wf-x", partition_key="a")

    asyncio.run(main())


def test_startup_sweep_starts_deliveries_committed_but_never_started(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str]
) -> None:
    """A crash between the commit and the enqueue leaves a pending delivery with no workflow;
    the next start's sweep finds and starts it."""
    key = create_api_key("acme")
    with receiver() as hooks:
        with service_factory() as first, first.client(key) as api:
            api.post("/v1/webhook-endpoints", json={"url": f"{hooks.url}/late"})
            team = team_id(api)
            runtime: WorkflowRuntime = first.app.state.tikpost.workflows

            async def commit_only() -> list[str]:
                async with runtime.database.session(write=True) as session:
                    return await webhooks.emit(session, team, "post.published", {"post_id": "p"})

            (delivery_id,) = asyncio.run(commit_only())
            time.sleep(0.5)
            assert hooks.at("/late") == []  # nothing started it
        with service_factory() as second, second.client(key) as api:
            assert wait_for_delivery(api, delivery_id)["status"] == "succeeded"
        assert len(hooks.at("/late")) == 1


def test_worker_needs_its_own_executor_id(cli: CliInvoker) -> None:
    result = cli("worker")
    assert result.exit_code == 2
    assert "--executor-id" in result.stderr


def test_worker_runs_workflows_without_the_api(
    settings_factory: SettingsFactory, create_api_key: Callable[[str], str]
) -> None:
    """`tikpost worker`: a delivery committed while no process ran is sent by the worker."""
    settings = settings_factory()
    create_api_key("acme")  # migrates and creates the team

    async def main(url: str) -> str:
        database = Database(settings.database_url)
        try:
            async with database.session(write=True) as session:
                team = await teams_repository.get_team_by_name(session, "acme")
                assert team is not None
                await webhooks.create_endpoint(
                    session,
                    settings.secret_key.get_secret_value(),
                    team.id,
                    EndpointCreate(url=f"{url}/worker"),
                )
                (delivery_id,) = await webhooks.emit(session, team.id, "post.failed", {})
        finally:
            await database.dispose()
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(settings, "worker-test-1", stop))
        while len(hooks.at("/worker")) < 1:
            assert not worker.done(), worker
            await asyncio.sleep(0.05)
        stop.set()
        await worker
        return delivery_id

    with receiver() as hooks:
        asyncio.run(main(hooks.url))
    assert len(hooks.at("/worker")) == 1
    assert not workflows.runtime_running()
