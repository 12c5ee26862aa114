"""Reply trees: link comments into threads, find integrity problems, walk descendants.

Pure functions over `moderation.schema` types, no recursion (a 10,000-deep chain is fine).
Import them from `moderation.schema`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from moderation.schema.model import Comment, Problem, Thread


def build_threads(comments: Sequence[Comment]) -> list[Thread]:
    """Set `thread_id` and `depth` on every comment and return the threads in source order.

    Comments whose parent is missing become roots of their own thread. A reply cycle is
    broken at its earliest comment (in source order), which becomes a root; `check_comments`
    reports it. Iterative: a 10,000-deep chain does not touch the recursion limit.
    """
    by_id = {c.comment_id: c for c in comments}
    order = {c.comment_id: i for i, c in enumerate(comments)}
    root_of: dict[str, str] = {}
    depth_of: dict[str, int] = {}
    cycle_roots = _cycle_breakers(comments, by_id, order)

    for comment in comments:
        if comment.comment_id in root_of:
            continue
        # Walk up to a known ancestor or a root, then assign on the way back down.
        path: list[str] = []
        current: str | None = comment.comment_id
        while current is not None and current not in root_of:
            path.append(current)
            node = by_id[current]
            parent = node.parent_id
            current = None if current in cycle_roots or parent is None or parent not in by_id else parent
        if current is None:
            top = path.pop()
            root_of[top] = top
            depth_of[top] = 0
            base_root, base_depth = top, 0
        else:
            base_root, base_depth = root_of[current], depth_of[current]
        for cid in reversed(path):
            base_depth += 1
            root_of[cid] = base_root
            depth_of[cid] = base_depth

    members: dict[str, list[str]] = {}
    for comment in comments:
        comment.thread_id = root_of[comment.comment_id]
        comment.depth = depth_of[comment.comment_id]
        members.setdefault(comment.thread_id, []).append(comment.comment_id)
    return [
        Thread(
            thread_id=root,
            article_id=by_id[root].article_id,
            comment_ids=tuple(ids),
            max_depth=max(depth_of[i] for i in ids),
        )
        for root, ids in sorted(members.items(), key=lambda item: order[item[0]])
    ]


def _cycle_breakers(comments: Sequence[Comment], by_id: dict[str, Comment], order: dict[str, int]) -> set[str]:
    """The earliest comment of every reply cycle."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    breakers: set[str] = set()
    for comment in comments:
        walk: list[str] = []
        current: str | None = comment.comment_id
        while current is not None and current in by_id and state.get(current) is None:
            state[current] = 1
            walk.append(current)
            current = by_id[current].parent_id
        if current is not None and state.get(current) == 1:
            cycle = walk[walk.index(current) :]
            breakers.add(min(cycle, key=order.__getitem__))
        for cid in walk:
            state[cid] = 2
    return breakers


def check_comments(comments: Sequence[Comment]) -> list[Problem]:
    """Integrity problems of a comment list: unresolved replies, orphans, cycles, duplicates,
    several roots in one thread, replies older than their parents."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for comment in comments:
        if comment.comment_id in seen:
            problems.append(
                Problem("duplicate_id", f"comment id {comment.comment_id!r} appears more than once", comment.comment_id)
            )
        seen.add(comment.comment_id)
    by_id: dict[str, Comment] = {}
    for comment in comments:
        by_id.setdefault(comment.comment_id, comment)  # the first of duplicates is the parent
    order = {c.comment_id: i for i, c in enumerate(comments)}
    for comment in comments:
        if comment.parent_id is None and comment.reply_to_author:
            problems.append(
                Problem(
                    "unresolved_reply",
                    f"replies to {comment.reply_to_author!r}, who has no earlier comment",
                    comment.comment_id,
                )
            )
        elif comment.parent_id is not None and comment.parent_id not in by_id:
            problems.append(Problem("orphan", f"parent {comment.parent_id!r} not found", comment.comment_id))
        elif comment.parent_id is not None:
            parent = by_id[comment.parent_id]
            if comment.timestamp and parent.timestamp and comment.timestamp < parent.timestamp:
                problems.append(
                    Problem(
                        "reply_before_parent",
                        f"posted {comment.timestamp}, before its parent ({parent.timestamp})",
                        comment.comment_id,
                    )
                )
    for breaker in sorted(_cycle_breakers(comments, by_id, order), key=order.__getitem__):
        problems.append(Problem("cycle", "reply chain loops back to this comment; treated as a thread root", breaker))
    roots_by_thread: dict[str, list[str]] = {}
    for comment in comments:
        if comment.thread_id is not None and comment.depth == 0:
            roots_by_thread.setdefault(comment.thread_id, []).append(comment.comment_id)
    for thread_id, roots in roots_by_thread.items():
        if len(roots) > 1:
            problems.append(Problem("several_roots", f"thread {thread_id!r} has roots {roots}", thread_id))
    return problems


def iter_descendants(root_id: str, comments: Iterable[Comment]) -> list[str]:
    """Ids of every reply below root_id (breadth first, cycle-safe)."""
    children: dict[str, list[str]] = {}
    for c in comments:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c.comment_id)
    out: list[str] = []
    seen = {root_id}
    queue = list(children.get(root_id, ()))
    while queue:
        cid = queue.pop(0)
        if cid in seen:
            continue
        seen.add(cid)
        out.append(cid)
        queue.extend(children.get(cid, ()))
    return out
