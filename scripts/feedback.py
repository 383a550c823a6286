"""`make feedback`: the votes on the bot's answers, one row per topic (up, down, share helpful).

Reads the votes table in the database at TRACKER_STORE_URL (server/votes.py; the SQLite file by
default). `--channel` keeps one channel's votes, `--days N` the votes of the last N days.
Exits 0, or 1 when the store cannot be read (the URL is shown without its password).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

import sqlalchemy as sa

from bot.reply.feedback import table, tally
from server.votes import VoteStore, today


def main(argv: list[str] | None = None) -> int:
    """Print the table of votes per topic, of one channel or of the last days when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channel", help="only this channel: widget, telegram, shell or rest")
    parser.add_argument("--days", type=int, help="only the votes of the last DAYS days")
    args = parser.parse_args(argv)
    store = VoteStore.from_settings(os.environ)
    try:
        votes = store.rows()
    except sa.exc.SQLAlchemyError as error:
        shown = store.url.render_as_string(hide_password=True)
        print(f"feedback: could not read {shown}: {type(error).__name__}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    if args.channel:
        votes = [vote for vote in votes if vote.channel == args.channel]
    if args.days is not None:
        since = today() - timedelta(days=max(args.days - 1, 0))
        votes = [vote for vote in votes if vote.day >= since]
    print(table(tally((vote.topic, vote.vote) for vote in votes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
