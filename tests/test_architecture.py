"""The layout the code implies, held by its own imports (read with `ast`, function-level too).

Layers, lowest first; a package imports only packages of a lower rank (never a sibling):

    0  tikpost (the root: `__version__`), settings      configuration, imports nothing
    1  kit                                              generic plumbing: no domain, no TikTok
    2  tiktok, runtime                                  the TikTok client; durable work (DBOS)
    3  teams, failures                                  failures: TikTok's codes as ours, one table
    4  webhooks                                         the outbox every domain above calls
    5  accounts, media                                  siblings: neither imports the other
    6  posts
    7  dashboard                                        the web UI, an HTTP edge as a whole
    7  compat                                           the hosted APIs tikpost replaces, ditto
    8  app, cli, runtime.worker, migrations, metrics    composition roots: import anything

`state` and `deps` are the HTTP edge's wiring: the typed `AppState` naming every domain's
parts, and the `…Dep` aliases routes take. They may import any ranked package, and only a
domain's HTTP modules (`endpoints`, `auth`, `links`, `tiktok_events`, and `deps`: a domain's
own `…Dep` aliases, such as `posts.deps.IntakeDep`) import them; services take plain
arguments. The cycle rule still holds module by module.

`sandbox` (the TikTok emulator) stands apart: it imports nothing of tikpost, and only `app` and
`cli`, which mount and run it, import it. The order is the review's (architecture-review.md
section 3) with `settings` at the bottom, since `runtime.workflows` reads it, and with accounts
and media side by side, since neither needs the other. `runtime.worker` is the runtime's
composition root (it loads every domain's workflows and runs the migrations), so it ranks with
`app`, not with the rest of `runtime`.

Also held here: SQL only in `repository.py` files, DBOS's private API (`dbos._*`) in one
module, no import cycle between modules, and no module over 400 lines. Each rule is a plain
function of a source tree, so `test_each_rule_catches_its_breach` can prove it bites.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

RANKS = {
    "tikpost": 0,
    "settings": 0,
    "kit": 1,
    "tiktok": 2,
    "runtime": 2,
    "teams": 3,
    "failures": 3,
    "webhooks": 4,
    "accounts": 5,
    "media": 5,
    "posts": 6,
    "dashboard": 7,
    "compat": 7,
}
COMPOSITION = frozenset({"app", "cli", "worker", "migrations", "metrics"})
# Modules whose place is not their package's: the worker builds the runtime from everything.
PLACED = {"tikpost.runtime.worker": "worker"}
SANDBOX = "sandbox"
# `state` names the mounted sandbox's config (a type; tests read it), mounting nothing.
MOUNTS_SANDBOX = frozenset({"app", "cli", "state"})
WIRING = frozenset({"state", "deps"})
HTTP_EDGE = frozenset({"endpoints", "auth", "links", "tiktok_events", "deps"})
# Packages that are HTTP edges through and through (every module may use the wiring).
HTTP_PACKAGES = frozenset({"dashboard", "compat"})

# Query builders: what turns Python into a statement.
SQL_NAMES = frozenset({"select", "update", "delete", "insert", "text", "func", "exists"})
# AsyncSession methods that run a statement (add/flush are the unit of work, not SQL).
SESSION_QUERIES = frozenset({"execute", "get", "get_one", "scalar", "scalars", "stream"})
SQL_EXCEPTIONS = {
    # The engine itself: connection pragmas and the one liveness probe (`ping`).
    "tikpost.kit.db": "database plumbing, not a query of any table",
    # Alembic revisions are DDL and data migrations, frozen in time by design.
    "tikpost.migrations": "schema migrations",
}

DBOS_PRIVATE_HOME = "tikpost.runtime.workflows"
MAX_LINES = 400


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: int

    @property
    def package(self) -> str:
        """The top-level part under tikpost: `posts` for tikpost.posts.x, `app` for tikpost.app."""
        if self.name in PLACED:
            return PLACED[self.name]
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else parts[0]


def modules(src: Path) -> list[Module]:
    found = []
    for path in sorted((src / "tikpost").rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        text = path.read_text()
        found.append(Module(".".join(parts), path, ast.parse(text), len(text.splitlines())))
    return found


def imports(module: Module, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, imported name) for every import anywhere in the module, relative ones resolved.
    `from a import b` names `a.b` when that is one of the `known` modules, else `a`."""
    package = module.name.split(".")
    if module.path.name != "__init__.py":
        package.pop()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield node.lineno, full if full in known else base


def _package(name: str, known: set[str]) -> str | None:
    """The tikpost package (top-level part) of the longest known module `name` names."""
    parts = name.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    if not parts:
        return None
    if ".".join(parts) in PLACED:
        return PLACED[".".join(parts)]
    return parts[1] if len(parts) > 1 else parts[0]


def layer_breaches(src: Path) -> list[str]:
    found = modules(src)
    known = {m.name for m in found}
    breaches = set()
    for module in found:
        here = module.package
        for line, name in imports(module, known):
            there = _package(name, known)
            if there is None or there == here:
                continue
            where = f"{module.name}:{line} imports {there}"
            if there == SANDBOX:
                if here not in MOUNTS_SANDBOX:
                    breaches.add(f"{where}: only app and cli mount the sandbox")
            elif here == SANDBOX:
                breaches.add(f"{where}: the sandbox imports nothing of tikpost")
            elif here in COMPOSITION or here in WIRING:
                continue
            elif there in WIRING:
                if module.name.rsplit(".", 1)[-1] not in HTTP_EDGE and here not in HTTP_PACKAGES:
                    breaches.add(f"{where}: only HTTP modules import the wiring")
            elif there in COMPOSITION:
                breaches.add(f"{where}: only composition roots import {there}")
            elif here not in RANKS or there not in RANKS:
                breaches.add(f"{where}: give {here if here not in RANKS else there} a rank")
            elif RANKS[there] >= RANKS[here]:
                breaches.add(f"{where}: {here} (rank {RANKS[here]}) may not import {there}")
    return sorted(breaches)


def _excepted(name: str) -> bool:
    return any(name == e or name.startswith(e + ".") for e in SQL_EXCEPTIONS)


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def sql_breaches(src: Path) -> list[str]:
    breaches = []
    for module in modules(src):
        if module.path.name == "repository.py" or _excepted(module.name):
            continue
        for node in ast.walk(module.tree):
            what = _sql_use(node)
            if what is not None:
                breaches.append(f"{module.name}:{getattr(node, 'lineno', 0)} {what}")
    return sorted(breaches)


def _sql_use(node: ast.AST) -> str | None:
    """`from sqlalchemy import select`, `sa.select(...)`, `session.execute(...)`: SQL."""
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
        builders = sorted(alias.name for alias in node.names if alias.name in SQL_NAMES)
        return f"builds SQL ({builders})" if builders else None
    if (
        isinstance(node, ast.Attribute)
        and node.attr in SQL_NAMES
        and isinstance(node.value, ast.Name)
        and node.value.id in {"sa", "sqlalchemy"}
    ):
        return f"builds SQL ({node.value.id}.{node.attr})"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SESSION_QUERIES
        and "session" in _receiver(node.func.value).lower()
    ):
        return f"runs session.{node.func.attr}"
    return None


def dbos_private_users(src: Path) -> dict[str, list[int]]:
    """Modules reaching into DBOS's private API: `dbos._x` imports, `DBOS._x`/`dbos._x` uses."""
    users: dict[str, list[int]] = {}
    for module in modules(src):
        for node in ast.walk(module.tree):
            if isinstance(node, ast.stmt | ast.expr) and _private_dbos_use(node):
                users.setdefault(module.name, []).append(node.lineno)
    return users


def _private_dbos_use(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(_private_dbos(alias.name) for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        names = (f"{node.module}.{alias.name}" for alias in node.names)
        return not node.level and any(map(_private_dbos, names))
    return (
        isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and isinstance(node.value, ast.Name)
        and node.value.id in {"DBOS", "dbos"}
    )


def _private_dbos(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "dbos" and any(part.startswith("_") for part in parts[1:])


def dbos_breaches(src: Path) -> list[str]:
    return [
        f"{name}:{sorted(set(lines))} uses dbos private API (keep it in {DBOS_PRIVATE_HOME})"
        for name, lines in sorted(dbos_private_users(src).items())
        if name != DBOS_PRIVATE_HOME
    ]


def size_breaches(src: Path) -> list[str]:
    return [
        f"{m.name} has {m.lines} lines (at most {MAX_LINES})"
        for m in modules(src)
        if m.lines > MAX_LINES
    ]


def cycles(src: Path) -> list[list[str]]:
    """Strongly connected groups of modules importing each other, however indirectly."""
    found = modules(src)
    known = {m.name for m in found}
    graph = {m.name: {n for _, n in imports(m, known) if n in known and n != m.name} for m in found}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(groups)


def test_layers_import_only_downward() -> None:
    assert layer_breaches(SRC) == []


def test_sql_lives_in_repositories() -> None:
    assert sql_breaches(SRC) == []


def test_dbos_private_api_in_one_module() -> None:
    assert dbos_breaches(SRC) == []


def test_no_import_cycles() -> None:
    assert cycles(SRC) == []


def test_modules_stay_small() -> None:
    assert size_breaches(SRC) == []


def _write(src: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = src / "tikpost" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_each_rule_catches_its_breach(tmp_path: Path) -> None:
    """A test of the test: a clean tree passes every rule, and each breach is caught."""
    clean = {
        "__init__.py": "",
        "kit/__init__.py": "",
        "kit/db.py": "from sqlalchemy import text\n",
        "runtime/__init__.py": "",
        "runtime/workflows.py": "from dbos._context import x\n",
        "posts/__init__.py": "",
        "posts/repository.py": "from sqlalchemy import select\n",
        "posts/service.py": "from tikpost.kit import db\nfrom tikpost.posts import repository\n",
        "app.py": "import tikpost.sandbox.app\nfrom tikpost.posts import service\n",
        "deps.py": "from tikpost.posts import service\n",
        "posts/endpoints.py": "from tikpost import deps\n",
        "sandbox/__init__.py": "",
        "sandbox/app.py": "import httpx\n",
    }
    _write(tmp_path, clean)
    assert layer_breaches(tmp_path) == []
    assert sql_breaches(tmp_path) == []
    assert dbos_breaches(tmp_path) == []
    assert cycles(tmp_path) == []
    assert size_breaches(tmp_path) == []

    _write(
        tmp_path,
        {
            "kit/metrics.py": "def f() -> None:\n    from tikpost.posts.models import Post\n",
            "posts/models.py": "",
            "posts/reconcile.py": "async def f(session):\n    await session.get(1, 2)\n",
            "posts/fencing.py": "from sqlalchemy import update\n",
            "posts/outage.py": "import sqlalchemy as sa\n\nq = sa.select(1)\n",
            "posts/workflow.py": "from dbos._queue import QueueRateLimit\n",
            "tiktok/__init__.py": "from tikpost.posts import service\n",
            "sandbox/state.py": "from tikpost.kit import db\n",
            "posts/big.py": "x = 1\n" * (MAX_LINES + 1),
            "posts/endpoints.py": "import tikpost.sandbox.app\nfrom tikpost.app import create\n",
            "posts/rules.py": "from tikpost.deps import SessionDep\n",
            "media/__init__.py": "",
            "media/storage.py": "from tikpost.media import object_storage\n",
            "media/object_storage.py": "from tikpost.media.storage import READ_CHUNK\n",
        },
    )
    assert layer_breaches(tmp_path) == [
        "tikpost.kit.metrics:2 imports posts: kit (rank 1) may not import posts",
        "tikpost.posts.endpoints:1 imports sandbox: only app and cli mount the sandbox",
        "tikpost.posts.endpoints:2 imports app: only composition roots import app",
        "tikpost.posts.rules:1 imports deps: only HTTP modules import the wiring",
        "tikpost.sandbox.state:1 imports kit: the sandbox imports nothing of tikpost",
        "tikpost.tiktok:1 imports posts: tiktok (rank 2) may not import posts",
    ]
    assert sql_breaches(tmp_path) == [
        "tikpost.posts.fencing:1 builds SQL (['update'])",
        "tikpost.posts.outage:3 builds SQL (sa.select)",
        "tikpost.posts.reconcile:2 runs session.get",
    ]
    assert dbos_breaches(tmp_path) == [
        "tikpost.posts.workflow:[1] uses dbos private API (keep it in tikpost.runtime.workflows)"
    ]
    assert cycles(tmp_path) == [["tikpost.media.object_storage", "tikpost.media.storage"]]
    assert size_breaches(tmp_path) == [f"tikpost.posts.big has {MAX_LINES + 1} lines (at most 400)"]
