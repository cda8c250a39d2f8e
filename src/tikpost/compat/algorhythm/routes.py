"""Algorhythm's routes: thin, the work is in `posting` and the mapping in `translate`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from tikpost.compat.algorhythm import posting, translate
from tikpost.compat.algorhythm.schemas import TaskCreate, TaskCreated, TaskRead
from tikpost.compat.auth import key_from_header
from tikpost.deps import DatabaseDep
from tikpost.kit.errors import ApiError
from tikpost.kit.idempotency import mark_replayed
from tikpost.posts import service
from tikpost.posts.deps import IntakeDep
from tikpost.teams.service import Authenticated

router = APIRouter()
ApiKey = Annotated[Authenticated, Depends(key_from_header("X-API-Key"))]


@router.post("/v1/posts", response_model=TaskCreated)
async def create_post(
    task: TaskCreate,
    key: ApiKey,
    intake: IntakeDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> TaskCreated:
    """Queue a video or slideshow for the profile: a draft in the creator's inbox, or live
    (`is_live`) at the account's default privacy; follow it with GET /v1/posts/{task_id}."""
    created, replayed = await posting.submit(task, key, intake, idempotency_key)
    mark_replayed(response, replayed)
    return created


@router.get("/v1/posts/{task_id}", response_model=TaskRead)
async def get_post(task_id: str, key: ApiKey, database: DatabaseDep) -> TaskRead:
    """The post's status (which Algorhythm itself does not offer for a task)."""
    async with database.session() as session:
        try:
            post = await service.get_post(session, key.team, task_id)
        except ApiError as exc:
            raise ApiError(404, exc.code, "Post not found", "task_id") from None
        return translate.task_read(await service.read(session, post))
