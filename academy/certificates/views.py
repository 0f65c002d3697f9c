"""Certificate pages: public verification, the holder's certificates, the trainer's list."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from academy.auth.forms import EmptyForm
from academy.certificates import (
    answers,
    codes,
    completion,
    forms,
    learning,
    policy,
    queries,
    sandbox,
    schemas,
    services,
    storage,
    verification,
)
from academy.certificates.models import STATE_LABELS, Certificate, CertificateExport, ExportStatus, State
from academy.core import public_cache
from academy.core.actions import request_action
from academy.courses.models import Course
from academy.courses.workspace import Tab, register_tab
from academy.exceptions import ServiceError
from academy.extensions import db, limiter
from academy.home import HomePanel, register_home_panel
from academy.inputs import page_arg

bp = Blueprint("certificates", __name__)


def home_panel():  # noqa: ANN201
    """Start page: the number of valid certificates and the latest one (None while there are none)."""
    if not current_user.is_authenticated:
        return None
    count, latest = queries.valid_certificates_summary(current_user._get_current_object())
    if not count:
        return None
    return HomePanel(
        title=_("Your certificates"),
        template="certificates/_home_panel.html",
        context={"count": count, "latest": latest},
        more_url=url_for("certificates.mine"),
        more_label=_("All my certificates"),
    )


@bp.record_once
def _setup(state) -> None:  # noqa: ANN001
    register_home_panel(state.app, "certificates", home_panel, order=40)
    learning.init_app(state.app)
    _register_tab(state.app)


def _register_tab(app) -> None:  # noqa: ANN001
    """The course workspace's Certificates tab: issued certificates, revoke, re-issue, ZIP."""
    pages = frozenset({"certificates.revoke", "certificates.reissue"})
    register_tab(app, Tab("certificates", lazy_gettext("Certificates"), "certificates.course_list", 60, pages))


@bp.app_template_global("certificate_standing")
def certificate_standing(course, enrolment=None):  # noqa: ANN001, ANN201
    """For `certificates/_requirements.html`: the rule and the learner's standing."""
    return completion.standing(course, enrolment)


def _verify_limit() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


def _upload_limit() -> str:
    return current_app.config["CERTIFICATE_UPLOAD_RATE_LIMIT"]


def _private(response: Response) -> Response:
    """Verification answers are not indexed, not cached, and do not leak the code as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.vary.add("Accept")
    return response


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


# ---------------------------------------------------------------------------- public


@bp.get("/verify")
@limiter.shared_limit(_verify_limit, scope="certificate-verify")
def verify_form():  # noqa: ANN201
    """Type a code; a submitted code goes to its verification page."""
    form = forms.CodeForm(request.args)
    if request.args and form.validate():
        compact = codes.normalise(form.code.data)
        if compact is not None:
            return _private(redirect(url_for(".verify", code=codes.group(compact))))
        return _verification_page(verification.NOT_FOUND, "")
    status = 400 if request.args else 200
    return _private(Response(render_template("certificates/verify_form.html", form=form), status=status))


def _verification_page(record: verification.PublicRecord, code: str) -> Response:
    html = render_template(
        "certificates/verify.html",
        record=record,
        labels=STATE_LABELS,
        form=forms.CodeForm(formdata=None),
        json_url=url_for(".verify_json", code=code) if record.found else None,
    )
    return _private(Response(html, status=200 if record.found else 404))


@bp.get("/verify/<code>")
@bp.get("/verify/<code>.json", endpoint="verify_json", defaults={"as_json": True})
@limiter.shared_limit(_verify_limit, scope="certificate-verify", exempt_when=answers.rendering_ahead)
@public_cache.cacheable(proxy=False, prepared=answers.lookup)  # no-store for proxies and browsers
def verify(code: str, as_json: bool = False):  # noqa: ANN201
    """The verification page (HTML, or JSON by Accept header or the .json address)."""
    record = verification.lookup(code, certificate_id=request.environ.get(answers.CERTIFICATE_ID))
    status = 200 if record.found else 404
    public_cache.valid_until(record.expires_at)  # "valid" turns "expired" by itself then
    if record.state == State.SUPERSEDED and not record.replacement_url:
        public_cache.do_not_store()  # the replacement's code is not readable yet: the link would be missing
    if as_json or _wants_json():
        response = jsonify(schemas.dump(record))
        response.status_code = status
        return _private(response)
    compact = codes.normalise(code)
    if record.found and compact and code != codes.group(compact):
        # One address per certificate: typed variants (lower case, O for 0) go to the canonical one.
        return _private(redirect(url_for(".verify", code=codes.group(compact)), 301))
    return _verification_page(record, code)


@bp.route("/verify/upload", methods=["GET", "POST"])
@limiter.limit(_upload_limit, methods=["POST"])
def verify_upload():  # noqa: ANN201
    """Upload a PDF: check the seal and the record; the file is not kept."""
    form = forms.UploadForm()
    if request.method == "GET":
        sandbox.warm_up()  # the visitor is choosing a file; have the checker ready when it comes
    result = None
    status = 200
    if form.validate_on_submit():
        data = form.pdf.data.read(current_app.config["CERTIFICATE_UPLOAD_MAX_BYTES"] + 1)
        if len(data) > current_app.config["CERTIFICATE_UPLOAD_MAX_BYTES"]:
            form.pdf.errors.append(_("The file is larger than a certificate can be."))
            status = 400
        elif not data:
            form.pdf.errors.append(_("The file is empty. Choose the certificate PDF."))
            status = 400
        else:
            result = verification.check_upload(data)
            status = 200 if result.checked else 422
    elif form.is_submitted():
        status = 400
    html = render_template("certificates/verify_upload.html", form=form, result=result, labels=STATE_LABELS)
    return _private(Response(html, status=status))


# ---------------------------------------------------------------------------- holder


def _own_certificate(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != current_user.id:
        abort(404)
    return certificate


@bp.get("/certificates")
@login_required
def mine():  # noqa: ANN201
    """My certificates."""
    certificates = queries.certificates_of(current_user)
    return render_template("certificates/mine.html", certificates=certificates, labels=STATE_LABELS)


@bp.get("/certificates/<int:certificate_id>")
@login_required
def detail(certificate_id: int):  # noqa: ANN201
    """One of my certificates: its verification link to share, and the privacy choice."""
    certificate = _own_certificate(certificate_id)
    code = services.stored_code(certificate)
    return render_template(
        "certificates/detail.html",
        certificate=certificate,
        code=code,
        url=services.verify_url(code) if code else "",
        labels=STATE_LABELS,
        form=forms.VisibilityForm(),
    )


@bp.get("/certificates/<int:certificate_id>/verification")
@login_required
def my_verification(certificate_id: int):  # noqa: ANN201
    """Go to the public verification page of one of my certificates."""
    code = services.stored_code(_own_certificate(certificate_id))
    if not code:
        abort(404)
    return redirect(url_for(".verify", code=code))


@bp.post("/certificates/<int:certificate_id>/visibility")
@login_required
def visibility(certificate_id: int):  # noqa: ANN201
    """Hide or show the details on the public page."""
    certificate = _own_certificate(certificate_id)
    form = forms.VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    hidden = form.hidden.data == "1"
    with request_action() as done:
        services.set_details_hidden(certificate, actor=current_user, hidden=hidden)
    if done and hidden:
        flash(_("The public page now shows the status only."), "success")
    elif done:
        flash(_("The public page now shows your name and the achievement."), "success")
    return redirect(url_for(".detail", certificate_id=certificate.id))


@bp.get("/certificates/<int:certificate_id>/pdf")
@login_required
def download(certificate_id: int):  # noqa: ANN201
    """The sealed PDF, exactly as issued (holder, course trainers and admins)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not certificate.pdf_path:
        abort(404)
    if certificate.user_id != current_user.id and not policy.can_manage_certificate(current_user, certificate):
        abort(404)
    if certificate.course is not None:
        name = f"certificate-{certificate.course.slug}-v{certificate.version_number}-{certificate.id}.pdf"
    else:
        name = f"certificate-{certificate.achievement_kind}-{certificate.achievement_id}-{certificate.id}.pdf"
    response = send_file(
        storage.path_of(certificate.pdf_path), mimetype="application/pdf", as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------- trainers


def _managed_course(slug: str) -> Course:
    try:
        course = queries.get_course(slug)
    except ServiceError:
        abort(404)
    if not policy.can_manage_course_certificates(current_user, course):
        abort(403)
    return course


def _managed_certificate(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id) or abort(404)
    if not policy.can_manage_certificate(current_user, certificate):
        abort(404)  # someone else's certificate: not even whether that id exists
    return certificate


@bp.get("/certificates/course/<slug>")
@login_required
def course_list(slug: str):  # noqa: ANN201
    """A course's issued certificates, with revoke, re-issue and the bulk download."""
    course = _managed_course(slug)
    pagination = queries.course_certificates(course, page=page_arg())
    return render_template(
        "certificates/course.html",
        course=course,
        pagination=pagination,
        exports=queries.recent_exports(course),
        labels=STATE_LABELS,
        form=EmptyForm(),
    )


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(certificate_id: int):  # noqa: ANN201
    """Revoke a certificate with a public reason category and a private note."""
    certificate = _managed_certificate(certificate_id)
    form = forms.RevokeForm()
    if form.validate_on_submit():
        with request_action() as done:
            services.revoke(certificate, actor=current_user, reason=form.reason.data, note=form.note.data or "")
        if done:
            flash(_("The certificate of %(name)s is revoked.", name=certificate.holder_name), "success")
            return redirect(services.list_url(certificate))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "certificates/revoke.html", certificate=certificate, form=form, list_url=services.list_url(certificate)
        ),
        status,
    )


@bp.post("/certificates/<int:certificate_id>/suspension")
@login_required
def suspension(certificate_id: int):  # noqa: ANN201
    """Suspend a certificate, or lift its suspension (the form's `action`: suspend or lift)."""
    certificate = _managed_certificate(certificate_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    lifting = request.form.get("action") == "lift"
    with request_action() as done:
        if lifting:
            services.lift_suspension(certificate, actor=current_user)
        else:
            services.suspend(certificate, actor=current_user)
    if done:
        if lifting:
            flash(_("The suspension of %(name)s's certificate is lifted.", name=certificate.holder_name), "success")
        else:
            flash(_("The certificate of %(name)s is suspended.", name=certificate.holder_name), "success")
    return redirect(services.list_url(certificate))


@bp.route("/certificates/<int:certificate_id>/reissue", methods=["GET", "POST"])
@login_required
def reissue(certificate_id: int):  # noqa: ANN201
    """Re-issue a corrected certificate; the old one shows as superseded."""
    certificate = _managed_certificate(certificate_id)
    form = forms.ReissueForm()
    if request.method == "GET":
        form.holder_name.data = certificate.user.name if certificate.user else certificate.holder_name
    if form.validate_on_submit():
        with request_action() as done:
            services.reissue(certificate, actor=current_user, holder_name=form.holder_name.data)
        if done:
            flash(_("A corrected certificate is issued to %(name)s.", name=form.holder_name.data), "success")
            return redirect(services.list_url(certificate))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "certificates/reissue.html", certificate=certificate, form=form, list_url=services.list_url(certificate)
        ),
        status,
    )


@bp.post("/certificates/course/<slug>/export")
@login_required
def export(slug: str):  # noqa: ANN201
    """Start building a ZIP of the course's certificates."""
    course = _managed_course(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        services.request_export(course, actor=current_user)
    if done:
        flash(_("The ZIP file is being prepared. Reload this page in a moment to download it."), "success")
    return redirect(url_for(".course_list", slug=slug))


@bp.get("/certificates/exports/<int:export_id>")
@login_required
def export_download(export_id: int):  # noqa: ANN201
    """Download a finished ZIP export."""
    export_ = db.session.get(CertificateExport, export_id) or abort(404)
    if not policy.can_manage_course_certificates(current_user, export_.course):
        abort(404)
    if export_.status != ExportStatus.READY:
        abort(404)
    name = f"certificates-{export_.course.slug}-{export_.created_at:%Y%m%d-%H%M}.zip"
    response = send_file(
        storage.path_of(export_.file_path), mimetype="application/zip", as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
