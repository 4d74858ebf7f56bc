"""The journal's tables by version, and the upgrade that brings a journal of an earlier version up
to date in place: never refused, never made again from scratch.

The version is SQLite's `PRAGMA user_version`. Version 1 is the journal as the first versions of
the tool wrote it (user_version 0: they set none). A new journal is made as version 1 and upgraded
like any old one, so every journal takes the one upgrade path. Each upgrade is one transaction that
ends by setting the version it reached: a run killed during it leaves the journal as it was."""
from __future__ import annotations

import sqlite3

VERSION = 2

# Version 1, as it was (`CREATE ... IF NOT EXISTS`: an old journal keeps its tables and rows).
FIRST = [
    """CREATE TABLE IF NOT EXISTS orders (
        store TEXT NOT NULL, account TEXT NOT NULL, order_id TEXT NOT NULL, state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, request TEXT NOT NULL, chosen TEXT, outcome TEXT, run_id TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, submitted_at TEXT, finished_at TEXT,
        PRIMARY KEY (store, account, order_id))""",
    "CREATE TABLE IF NOT EXISTS rejected_rows (run_id TEXT NOT NULL, line INTEGER NOT NULL, raw TEXT NOT NULL, "
    "error TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS changes (store TEXT NOT NULL, account TEXT NOT NULL, order_id TEXT NOT NULL, "
    "at TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, message TEXT)",
    "CREATE TABLE IF NOT EXISTS seen (store TEXT NOT NULL, account TEXT NOT NULL, order_id TEXT NOT NULL, "
    "first_seen_at TEXT NOT NULL, PRIMARY KEY (store, account, order_id))",
    "CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, source TEXT, started_at TEXT NOT NULL, "
    "finished_at TEXT, summary TEXT)",
]

# What a version-1 journal lacks: the store's host named as such, which command (and sweep rule)
# made each row and each change, every outcome change in `changes` (version 1 kept only those
# `follow` read), and the run that holds the journal's lock (named to a run that waits for it).
TO_2 = [
    "ALTER TABLE orders RENAME COLUMN store TO store_host",
    "ALTER TABLE changes RENAME COLUMN store TO store_host",
    "ALTER TABLE seen RENAME COLUMN store TO store_host",
    "ALTER TABLE orders ADD COLUMN command TEXT",
    "ALTER TABLE orders ADD COLUMN rule TEXT",
    "ALTER TABLE changes ADD COLUMN command TEXT",
    "ALTER TABLE changes ADD COLUMN run_id TEXT",
    "ALTER TABLE changes ADD COLUMN rule TEXT",
    "ALTER TABLE changes ADD COLUMN evidence TEXT",
    "ALTER TABLE runs ADD COLUMN command TEXT",
    "ALTER TABLE runs ADD COLUMN report TEXT",
    "CREATE TABLE holder (id INTEGER PRIMARY KEY CHECK (id = 1), command TEXT, run_id TEXT, pid INTEGER, "
    "since TEXT NOT NULL)",
    "CREATE INDEX changes_by_order ON changes (store_host, account, order_id, at)",
    # the store's e-mails (`follow --mailbox`): each mail read, and the one that witnessed a change
    "ALTER TABLE changes ADD COLUMN mail_id TEXT",
    "ALTER TABLE changes ADD COLUMN mail_sent_at TEXT",
    "CREATE TABLE mails (store_host TEXT NOT NULL, account TEXT NOT NULL, message_id TEXT NOT NULL, order_id TEXT, "
    "sent_at TEXT, read_at TEXT NOT NULL, kind TEXT NOT NULL, who TEXT, verdict TEXT NOT NULL, "
    "PRIMARY KEY (store_host, account, message_id))",
    # in version 1 only batch and sweep wrote rows (a sweep's with its rule), and only follow changes
    "UPDATE orders SET rule = json_extract(request, '$.rule'), "
    "command = CASE WHEN json_extract(request, '$.rule') IS NULL THEN 'batch' ELSE 'sweep' END",
    "UPDATE runs SET command = CASE WHEN source LIKE '%sweep%' THEN 'sweep' ELSE 'batch' END",
    "UPDATE changes SET command = 'follow', rule = (SELECT o.rule FROM orders o WHERE o.store_host = "
    "changes.store_host AND o.account = changes.account AND o.order_id = changes.order_id)",
    # each ended row's first outcome, which version 1 kept only in the row: what `follow` changed
    # later starts from it (its message and evidence were replaced by follow's, so are not known)
    """INSERT INTO changes (store_host, account, order_id, at, from_state, to_state, message, command, run_id,
                            rule, evidence)
       SELECT o.store_host, o.account, o.order_id,
              CASE WHEN f.from_state IS NULL THEN COALESCE(o.finished_at, o.updated_at)
                   ELSE COALESCE(o.submitted_at, o.created_at) END,
              CASE WHEN o.submitted_at IS NULL THEN 'checking' ELSE 'submitting' END,
              COALESCE(f.from_state, o.state),
              CASE WHEN f.from_state IS NULL THEN json_extract(o.outcome, '$.message') END,
              o.command, o.run_id, o.rule,
              CASE WHEN f.from_state IS NULL THEN json_extract(o.outcome, '$.artifacts') END
       FROM orders o LEFT JOIN (SELECT store_host, account, order_id, from_state, MIN(at) FROM changes
                                GROUP BY store_host, account, order_id) f
            USING (store_host, account, order_id)
       WHERE o.state NOT IN ('pending', 'checking', 'submitting')""",
]

UPGRADES = {1: TO_2}  # from version n to n + 1


class TooNew(Exception):
    """The journal was written by a later version of the tool, whose tables this one does not know."""


def upgrade(db: sqlite3.Connection) -> int | None:
    """The journal brought to `VERSION` in one transaction; the version it had, or None when it was
    new or up to date. `db` is in autocommit mode and holds the journal's lock."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    new = found == 0 and db.execute("SELECT 1 FROM sqlite_master WHERE name = 'orders'").fetchone() is None
    if found > VERSION:
        raise TooNew(f"it was written by a later version of ordercancel (journal version {found}, this one "
                     f"knows {VERSION}); use that version, or another --journal")
    if found == VERSION:
        return None
    db.execute("BEGIN IMMEDIATE")
    try:
        version = max(found, 1)
        if found == 0:
            for statement in FIRST:
                db.execute(statement)
        for step in range(version, VERSION):
            for statement in UPGRADES[step]:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return None if new else version
