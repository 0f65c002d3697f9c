"""Threads and posts: start, read, reply, edit, history, delete, accept, flag, moderate, watch."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from academy.community import forms
from academy.community.models import WatchLevel
from academy.community.services import files as file_services
from academy.community.services import helpful, reading, watching
from academy.community.services import moderation as moderation_services
from academy.community.services import threads as thread_services
from academy.community.views.common import bp, member_area, moderator_area, uploads_from
from academy.core import private_cache
from academy.core.actions import commit, request_action
from academy.core.confirm import confirm_first
from academy.exceptions import NotFound
from academy.inputs import page_arg

# The file services name their field "attachment"; the thread forms call it "attachments".
_ATTACHMENTS = {"attachment": "attachments"}


def _thread_or_404(community, thread_id: int, access):  # noqa: ANN001
    try:
        return thread_services.get_thread(community, thread_id, include_hidden=access.can_moderate)
    except NotFound:
        abort(404)


def _post_or_404(community, post_id: int, access):  # noqa: ANN001
    try:
        return thread_services.get_post(community, post_id, include_hidden=access.can_moderate)
    except NotFound:
        abort(404)


def _run(do: Callable[[], object], success: str) -> None:
    """Run a service call and commit with a success message; a 403 refusal aborts, others are flashed."""
    with request_action(abort_on=(403,)) as done:
        do()
    if done:
        flash(success, "success")


def _max_mb() -> int:
    return max(1, file_services.max_upload_bytes() // (1024 * 1024))


def _with_file_hint(form):  # noqa: ANN001
    form.attachments.description = forms.FILES_HINT % {"mb": _max_mb()}
    return form


@bp.route("/<slug>/new", methods=["GET", "POST"])
@login_required
def new_thread(slug: str):  # noqa: ANN201
    """Ask a question or start a discussion, with files if wanted."""
    community, access = member_area(slug)
    if not access.can_post:
        abort(403)
    form = _with_file_hint(forms.ThreadForm())
    if form.validate_on_submit():
        with request_action(form, fields=_ATTACHMENTS) as done:
            thread = thread_services.create_thread(
                community=community,
                author=current_user,
                kind=form.kind.data,
                title=form.title.data,
                body=form.body.data,
                uploads=uploads_from(form.attachments),
            )
        if done:
            flash(_("Your thread is published."), "success")
            return redirect(url_for(".thread", slug=slug, thread_id=thread.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "community/new_thread.html", community=community, access=access, form=form, max_mb=_max_mb()
    ), status


def _render_thread(community, access, thread, *, reply_form=None, status: int = 200):  # noqa: ANN001
    page = page_arg()
    view = thread_services.thread_view(thread, page=page)
    thread_level, community_level = watching.levels_for(current_user, thread)
    posts = [p for p in (view.opening, view.accepted, *view.replies.items) if p is not None]
    post_ids = [p.id for p in posts]
    return render_template(
        "community/thread.html",
        community=community,
        access=access,
        thread=thread,
        view=view,
        reply_form=reply_form or _with_file_hint(forms.ReplyForm()),
        watch_form=forms.WatchForm(level=thread_level or community_level or WatchLevel.NORMAL),
        button_form=forms.ModerateForm(),
        flag_form=forms.FlagForm(),
        max_mb=_max_mb(),
        helpful_counts=helpful.counts(post_ids),
        helpful_mine=helpful.marked_by(current_user, post_ids),
        helpful_received=helpful.received(p.author_id for p in posts),
    ), status


@bp.get("/<slug>/t/<int:thread_id>")
@login_required
@private_cache.cacheable()
def thread(slug: str, thread_id: int):  # noqa: ANN201
    """A thread: the opening post, the accepted answer first, then the replies."""
    community, access = member_area(slug)
    thread = _thread_or_404(community, thread_id, access)
    response = _render_thread(community, access, thread)
    if access.is_member:
        reading.mark_read(user=current_user, thread=thread)
        commit()
    return response


@bp.post("/<slug>/t/<int:thread_id>/reply")
@login_required
def reply(slug: str, thread_id: int):  # noqa: ANN201
    """Post a reply."""
    community, access = member_area(slug)
    thread = _thread_or_404(community, thread_id, access)
    if not access.can_post:  # admins read and moderate but do not post: refuse as new_thread does
        abort(403)
    form = _with_file_hint(forms.ReplyForm())
    if form.validate_on_submit():
        with request_action(form, fields=_ATTACHMENTS) as done:
            post = thread_services.reply(
                thread=thread, author=current_user, body=form.body.data, uploads=uploads_from(form.attachments)
            )
        if done:
            flash(_("Your reply is posted."), "success")
            return redirect(
                url_for(
                    ".thread",
                    slug=slug,
                    thread_id=thread.id,
                    page=thread_services.page_of(post),
                    _anchor=f"post-{post.id}",
                )
            )
    return _render_thread(community, access, thread, reply_form=form, status=400)


@bp.route("/<slug>/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(slug: str, post_id: int):  # noqa: ANN201
    """Edit my post; the earlier text is kept."""
    community, access = member_area(slug)
    post = _post_or_404(community, post_id, access)
    if post.author_id != current_user.id or not access.can_post:
        abort(403)
    form = _with_file_hint(forms.EditPostForm(obj=None if request.method == "POST" else post))
    if request.method == "GET" and post.is_opening:
        form.title.data = post.thread.title
    if form.validate_on_submit():
        with request_action(form, fields=_ATTACHMENTS) as done:
            thread_services.edit_post(
                post=post,
                editor=current_user,
                body=form.body.data,
                title=form.title.data if post.is_opening else None,
                uploads=uploads_from(form.attachments),
            )
        if done:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".thread", slug=slug, thread_id=post.thread_id, _anchor=f"post-{post.id}"))
    status = 400 if form.is_submitted() else 200
    return render_template("community/edit_post.html", community=community, access=access, post=post, form=form), status


@bp.get("/<slug>/p/<int:post_id>/history")
@login_required
def post_history(slug: str, post_id: int):  # noqa: ANN201
    """Earlier versions of a post (contact persons)."""
    community, access = moderator_area(slug)
    post = _post_or_404(community, post_id, access)
    return render_template(
        "community/history.html",
        community=community,
        access=access,
        post=post,
        revisions=thread_services.revisions(post),
    )


def _may_delete(slug: str, post_id: int) -> None:
    """404 for a post the user cannot see, 403 for one they may not delete: checked before asking."""
    community, access = member_area(slug)
    post = _post_or_404(community, post_id, access)
    if not (access.can_moderate or (access.can_post and post.author_id == current_user.id)):
        abort(403)


@bp.post("/<slug>/p/<int:post_id>/delete")
@login_required
@confirm_first(
    _l("Delete this post?"),
    _l("The post is deleted; deleting the opening post deletes the whole thread. This cannot be undone."),
    _l("Delete"),
    guard=_may_delete,
)
def delete_post(slug: str, post_id: int):  # noqa: ANN201
    """Delete a post (the author or a contact person); the opening post takes the thread with it."""
    community, access = member_area(slug)
    post = _post_or_404(community, post_id, access)
    with request_action(abort_on=(400, 403, 404, 409)):  # every refusal is an error page
        thread_services.delete_post(post=post, actor=current_user)
    if post.is_opening:
        flash(_("The thread was deleted."), "success")
        return redirect(url_for(".show", slug=slug))
    flash(_("The post was deleted."), "success")
    return redirect(url_for(".thread", slug=slug, thread_id=post.thread_id))


@bp.post("/<slug>/p/<int:post_id>/accept")
@login_required
def accept_answer(slug: str, post_id: int):  # noqa: ANN201
    """Mark a reply as the accepted answer."""
    community, access = member_area(slug)
    post = _post_or_404(community, post_id, access)
    _run(lambda: thread_services.accept_answer(post=post, actor=current_user), _("The answer is marked as accepted."))
    return redirect(url_for(".thread", slug=slug, thread_id=post.thread_id))


@bp.post("/<slug>/t/<int:thread_id>/unaccept")
@login_required
def clear_answer(slug: str, thread_id: int):  # noqa: ANN201
    """Take back the accepted answer."""
    community, access = member_area(slug)
    thread = _thread_or_404(community, thread_id, access)
    with request_action(abort_on=(403,)):  # the service's only refusal
        thread_services.clear_answer(thread=thread, actor=current_user)
    flash(_("The thread has no accepted answer now."), "success")
    return redirect(url_for(".thread", slug=slug, thread_id=thread.id))


@bp.post("/<slug>/p/<int:post_id>/helpful")
@login_required
def mark_helpful(slug: str, post_id: int):  # noqa: ANN201
    """Say an answer helped you, or take that back (one mark per member and answer)."""
    community, access = member_area(slug)
    post = _post_or_404(community, post_id, access)
    with request_action(abort_on=(403,)) as done:
        marked = helpful.toggle(post=post, user=current_user)
    if done:
        flash(_("Marked as helpful. Thank you.") if marked else _("Your helpful mark is taken back."), "success")
    return redirect(url_for(".thread", slug=slug, thread_id=post.thread_id, _anchor=f"post-{post.id}"))


@bp.post("/<slug>/p/<int:post_id>/flag")
@login_required
def flag_post(slug: str, post_id: int):  # noqa: ANN201
    """Report a post to the contact persons."""
    community, access = member_area(slug)
    post = _post_or_404(community, post_id, access)
    form = forms.FlagForm()
    if form.validate_on_submit():
        _run(
            lambda: moderation_services.flag_post(post=post, reporter=current_user, reason=form.reason.data),
            _("Thank you. The contact persons will review the post."),
        )
    else:
        flash(_("Say what is wrong with the post."), "error")
    return redirect(url_for(".thread", slug=slug, thread_id=post.thread_id, _anchor=f"post-{post.id}"))


@bp.post("/<slug>/t/<int:thread_id>/moderate")
@login_required
def moderate_thread(slug: str, thread_id: int):  # noqa: ANN201
    """Pin, unpin, lock or unlock a thread (contact persons)."""
    community, access = moderator_area(slug)
    thread = _thread_or_404(community, thread_id, access)
    form = forms.ModerateForm()
    if not form.validate_on_submit() or form.action.data not in ("pin", "unpin", "lock", "unlock"):
        abort(400)
    action = form.action.data
    with request_action(abort_on=(403,)):
        thread_services.set_flags(
            thread=thread,
            actor=current_user,
            pinned={"pin": True, "unpin": False}.get(action),
            locked={"lock": True, "unlock": False}.get(action),
        )
    messages = {
        "pin": _("The thread is pinned."),
        "unpin": _("The thread is no longer pinned."),
        "lock": _("The thread is locked."),
        "unlock": _("The thread is open for replies again."),
    }
    flash(messages[action], "success")
    return redirect(url_for(".thread", slug=slug, thread_id=thread.id))


@bp.post("/<slug>/p/<int:post_id>/moderate")
@login_required
def moderate_post(slug: str, post_id: int):  # noqa: ANN201
    """Hide a post from members, or show it again (contact persons)."""
    community, access = moderator_area(slug)
    post = _post_or_404(community, post_id, access)
    form = forms.ModerateForm()
    if not form.validate_on_submit() or form.action.data not in ("hide", "unhide"):
        abort(400)
    with request_action(abort_on=(403,)):
        moderation_services.set_hidden(post=post, actor=current_user, hidden=form.action.data == "hide")
    flash(_("The post is hidden.") if form.action.data == "hide" else _("The post is visible again."), "success")
    return redirect(url_for(".thread", slug=slug, thread_id=post.thread_id, _anchor=f"post-{post.id}"))


@bp.post("/<slug>/t/<int:thread_id>/watch")
@login_required
def watch_thread(slug: str, thread_id: int):  # noqa: ANN201
    """Choose how closely to follow this thread."""
    community, access = member_area(slug)
    thread = _thread_or_404(community, thread_id, access)
    form = forms.WatchForm()
    if not form.validate_on_submit():
        abort(400)
    _run(
        lambda: watching.watch_thread(user=current_user, thread=thread, level=form.level.data),
        _("Your notification setting for this thread is saved."),
    )
    return redirect(url_for(".thread", slug=slug, thread_id=thread.id))
