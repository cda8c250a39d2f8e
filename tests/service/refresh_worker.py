"""A second process using an account's token at a set moment (`-m tests.service.refresh_worker`).

Arguments: database URL, secret key, TikTok API URL, client key, client secret, account id, and
the Unix time to start at (so several processes hit the refresh together).
"""

from __future__ import annotations

import asyncio
import sys
import time

from tikpost.accounts.tokens import TokenSource
from tikpost.kit.crypto import TokenCipher
from tikpost.kit.db import Database
from tikpost.tiktok import CreatorInfo, TikTokApp


async def main(args: list[str]) -> None:
    database_url, secret, api_url, client_key, client_secret, account_id, start_at = args
    app = TikTokApp(client_key, client_secret, api_url, api_url, "http://unused")
    database = Database(database_url)
    tokens = TokenSource(database, TokenCipher(secret), app)

    async def query(token: str) -> CreatorInfo:
        async with app.posting_client(token) as posting:
            return await posting.creator_info()

    await asyncio.sleep(max(0.0, float(start_at) - time.time()))
    info = await tokens.call(account_id, query)
    await database.dispose()
    print(info.creator_username)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
