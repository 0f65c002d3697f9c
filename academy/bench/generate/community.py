"""Communities, memberships, threads, posts and notifications."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from academy.bench import content
from academy.bench.generate.base import BASE, BATCH
from academy.community.models import (
    Community,
    MemberRole,
    Membership,
    MemberStatus,
    Policy,
    Post,
    SearchDocument,
    Thread,
    ThreadKind,
)
from academy.extensions import db
from academy.markdown import render as render_markdown
from academy.notifications.models import Notification


class CommunityParts:
    """Communities, memberships, threads, posts and notifications."""

    def communities(self) -> int:
        """Communities (Finance with sub-communities) and active memberships; two contacts each."""
        size, rng, ids = self.size, self.rng, self.ids
        self.community_ids = [ids["communities"] + 1 + i for i in range(size.communities)]
        self.members_of: dict[int, list[int]] = {cid: [] for cid in self.community_ids}
        rows = []
        for i, cid in enumerate(self.community_ids):
            name = content.COMMUNITY_NAMES[i % len(content.COMMUNITY_NAMES)]
            parent = self.community_ids[1] if i >= 3 and name.startswith("Finance:") else None
            rows.append(
                {
                    "id": cid,
                    "slug": f"bench-community-{i + 1}",
                    "name": f"{name} ({i + 1})" if i >= 20 else name,
                    "summary": f"Questions and answers on {name.lower()}.",
                    "description": "",
                    "parent_id": parent,
                    "policy": Policy.APPROVAL,
                    "position": i,
                    "member_count": 0,
                    "created_at": BASE - timedelta(days=365),
                }
            )
        count = self._insert(Community, rows)
        for uid in self.learner_ids:
            picks = rng.sample(self.community_ids, min(len(self.community_ids), 1 + (uid % 3 == 0)))
            for cid in picks:
                self.members_of[cid].append(uid)
        joined = BASE - timedelta(days=300)

        def membership_rows() -> Iterator[dict[str, Any]]:
            for cid, members in self.members_of.items():
                for position, uid in enumerate(members):
                    yield {
                        "community_id": cid,
                        "user_id": uid,
                        "role": MemberRole.CONTACT if position < 2 else MemberRole.MEMBER,
                        "status": MemberStatus.ACTIVE,
                        "request_message": "",
                        "decision_reason": "",
                        "requested_at": joined,
                        "decided_at": joined,
                        "joined_at": joined,
                    }

        count += self._insert(Membership, membership_rows())
        for cid, members in self.members_of.items():
            db.session.execute(update(Community).where(Community.id == cid).values(member_count=len(members)))
        return count

    def posts(self) -> int:
        """Threads of members' posts with rendered HTML and search documents."""
        size, rng, ids = self.size, self.rng, self.ids
        per_thread = max(1, size.posts_per_thread)
        thread_count = max(1, size.posts // per_thread)
        bodies = [(body, str(render_markdown(body))) for body in content.POST_BODIES]
        self.threads: list[tuple[int, int, list[int]]] = []  # (thread id, community id, member ids)
        thread_rows, post_rows, search_rows = [], [], []
        post_id = ids["community_posts"]
        total = 0
        for t in range(thread_count):
            tid = ids["community_threads"] + 1 + t
            cid = self.community_ids[t % len(self.community_ids)]
            members = self.members_of[cid] or self.learner_ids
            title = f"{content.THREAD_TITLES[t % len(content.THREAD_TITLES)]} #{t + 1}"
            created = BASE - timedelta(days=200) + timedelta(minutes=t * 13 % 250_000)
            posts_here = per_thread if t < thread_count - 1 else max(1, size.posts - per_thread * (thread_count - 1))
            thread_rows.append(
                {
                    "id": tid,
                    "community_id": cid,
                    "author_id": members[t % len(members)],
                    "kind": ThreadKind.QUESTION if t % 2 else ThreadKind.DISCUSSION,
                    "title": title,
                    "created_at": created,
                    "last_activity_at": created + timedelta(hours=posts_here),
                    "reply_count": posts_here - 1,
                    "is_pinned": t % 50 == 0,
                    "is_locked": False,
                }
            )
            for p in range(posts_here):
                post_id += 1
                body, html = bodies[(t + p) % len(bodies)]
                post_rows.append(
                    {
                        "id": post_id,
                        "thread_id": tid,
                        "author_id": rng.choice(members),
                        "is_opening": p == 0,
                        "body": body,
                        "body_html": html,
                        "created_at": created + timedelta(hours=p),
                    }
                )
                search_rows.append(
                    {"post_id": post_id, "community_id": cid, "content": f"{title}\n{body}" if p == 0 else body}
                )
            self.threads.append((tid, cid, members))
            if len(post_rows) >= BATCH:
                total += self._flush_posts(thread_rows, post_rows, search_rows)
        return total + self._flush_posts(thread_rows, post_rows, search_rows)

    def _flush_posts(self, threads: list, posts: list, documents: list) -> int:
        count = self._insert(Thread, threads) + self._insert(Post, posts) + self._insert(SearchDocument, documents)
        threads.clear()
        posts.clear()
        documents.clear()
        return count

    # --- certificates ----------------------------------------------------------------------------

    def notifications(self) -> int:
        """A few reply notifications per learner, all but the newest read."""
        per_user = self.size.notifications_per_user
        threads = self.threads

        def rows() -> Iterator[dict[str, Any]]:
            for n, uid in enumerate(self.learner_ids):
                for k in range(per_user):
                    tid, cid, _members = threads[(n * per_user + k) % len(threads)]
                    created = BASE - timedelta(days=10) + timedelta(minutes=n + k)
                    yield {
                        "user_id": uid,
                        "event": "post.replied",
                        "event_key": f"post.replied:thread:{tid}:{k}",
                        "subject_type": "thread",
                        "subject_id": tid,
                        "scope": f"community:{cid}",
                        "link": f"/c/bench-community-{self.community_ids.index(cid) + 1}/t/{tid}",
                        "data": {"actor": "A colleague", "title": "A thread you follow"},
                        "created_at": created,
                        "read_at": created + timedelta(hours=1) if k else None,
                    }

        return self._insert(Notification, rows())

    # --- finishing -------------------------------------------------------------------------------
