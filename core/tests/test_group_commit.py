"""GroupCommit: concurrent writes share transactions, and a bad row fails only its own writer."""

from __future__ import annotations

import asyncio

import pytest

from plugstack.storage.group_commit import GroupCommit


class Duplicate(Exception):
    pass


class Table:
    """Rows committed in lots, like a database whose unique key refuses a repeated row."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.commits = 0

    async def write(self, rows: list[int]) -> None:
        await asyncio.sleep(0.005)  # a commit takes a while: writers queue meanwhile
        if any(row in self.rows for row in rows) or len(set(rows)) < len(rows):
            raise Duplicate(rows)
        self.commits += 1
        self.rows.extend(rows)


async def test_concurrent_writes_share_commits_and_each_returns_once_stored() -> None:
    table = Table()
    group = GroupCommit(table.write)

    async def write(row: int) -> None:
        await group.write(row)
        assert row in table.rows, "a write returns only once its row is committed"

    await asyncio.gather(*(write(i) for i in range(64)))
    assert sorted(table.rows) == list(range(64))
    assert table.commits <= 3, f"64 concurrent rows took {table.commits} commits"


async def test_a_row_a_constraint_refuses_fails_alone() -> None:
    table = Table()
    table.rows.append(7)
    group = GroupCommit(table.write, split_on=(Duplicate,))
    results = await asyncio.gather(*(group.write(i) for i in (5, 6, 7, 8)), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["NoneType", "NoneType", "Duplicate", "NoneType"]
    assert sorted(table.rows) == [5, 6, 7, 8]


async def test_a_failed_commit_fails_its_lot_and_later_writes_go_on() -> None:
    table = Table()
    table.rows.append(1)
    group = GroupCommit(table.write)  # no split: the whole lot fails
    with pytest.raises(Duplicate):
        await asyncio.gather(group.write(1), group.write(2))
    await group.drain()
    await group.write(3)
    assert table.rows == [1, 3]


async def test_drain_waits_for_submitted_items() -> None:
    table = Table()
    group = GroupCommit(table.write)
    futures = [group.submit(i) for i in range(5)]
    await group.drain()
    assert all(f.done() for f in futures) and sorted(table.rows) == list(range(5))
