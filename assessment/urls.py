from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from assessment.views import (
    actions,
    agency_views,
    answers,
    assessments,
    challenges,
    evidence,
    frameworks,
    invitations,
    notifications,
    pages,
    partnerships,
    public,
    recommendations,
    reports,
    responses,
    results,
    signoff,
)

FRAMEWORK = "frameworks/<slug:slug>/<str:version>"

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("accessibility", pages.accessibility, name="accessibility"),
    path("privacy", pages.privacy, name="privacy"),
    path("frameworks/", frameworks.framework_list, name="framework_list"),
    path("frameworks/<slug:slug>/", frameworks.framework_latest, name="framework_latest"),
    path(f"{FRAMEWORK}.json", frameworks.framework_json, name="framework_json"),
    path(f"{FRAMEWORK}/", frameworks.framework_detail, name="framework_detail"),
    path(f"{FRAMEWORK}/glossary", frameworks.glossary, name="glossary"),
    path(f"{FRAMEWORK}/methodology", frameworks.methodology, name="methodology"),
    path(f"{FRAMEWORK}/sources", frameworks.sources, name="sources"),
    path(f"{FRAMEWORK}/themes/<str:theme>", frameworks.theme_detail, name="theme_detail"),
    path(
        "recommendations/<slug:slug>/<str:version>/",
        recommendations.recommendation_set,
        name="recommendation_set",
    ),
    path("partnerships/", partnerships.partnership_list, name="partnership_list"),
    path(
        "notifications/settings",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("partnerships/<uuid:code>/", partnerships.partnership_home, name="partnership_home"),
    path("partnerships/<uuid:code>/welcome", partnerships.joined, name="joined"),
    path("partnerships/<uuid:code>/members/", partnerships.members, name="members"),
    path("partnerships/<uuid:code>/members/invite", partnerships.invite, name="invite"),
    path(
        "partnerships/<uuid:code>/members/<uuid:member>/change",
        partnerships.change_member,
        name="change_member",
    ),
    path(
        "partnerships/<uuid:code>/members/<uuid:member>/remove",
        partnerships.remove_member,
        name="remove_member",
    ),
    path(
        "partnerships/<uuid:code>/invitations/<uuid:invitation>/resend",
        partnerships.resend_invitation,
        name="resend_invitation",
    ),
    path(
        "partnerships/<uuid:code>/invitations/<uuid:invitation>/cancel",
        partnerships.cancel_invitation,
        name="cancel_invitation",
    ),
    path(
        "partnerships/<uuid:code>/settings",
        partnerships.partnership_settings,
        name="partnership_settings",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/",
        responses.recommendation_register,
        name="recommendation_register",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/respond/<int:recommendation>",
        responses.respond_to_recommendation,
        name="respond_to_recommendation",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/local",
        responses.add_local_recommendation,
        name="add_local_recommendation",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/register.csv",
        responses.register_csv,
        name="register_csv",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/publish",
        responses.publish_response,
        name="publish_response",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/published/<int:version>/",
        responses.published_response,
        name="published_response",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/published/<int:version>/response.pdf",
        responses.published_response_pdf,
        name="published_response_pdf",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/<uuid:entry>/",
        responses.register_entry,
        name="register_entry",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/<uuid:entry>/edit",
        responses.edit_register_entry,
        name="edit_register_entry",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/<uuid:entry>/milestones",
        responses.add_milestone,
        name="add_milestone",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/<uuid:entry>/milestones/<uuid:milestone>/done",
        responses.complete_milestone,
        name="complete_milestone",
    ),
    path(
        "partnerships/<uuid:code>/recommendations/<uuid:entry>/challenge",
        challenges.challenge_register_entry,
        name="challenge_register_entry",
    ),
    # Public (no sign-in): a partnership's published response, at an address the lead can share.
    path("responses/<uuid:code>/", public.public_response, name="public_response"),
    path(
        "responses/<uuid:code>/<int:version>/",
        public.public_response_version,
        name="public_response_version",
    ),
    path(
        "responses/<uuid:code>/<int:version>/response.pdf",
        public.public_response_pdf,
        name="public_response_pdf",
    ),
    path(
        "partnerships/<uuid:code>/evidence/", evidence.evidence_register, name="evidence_register"
    ),
    path("partnerships/<uuid:code>/evidence/new", evidence.add_evidence, name="add_evidence"),
    path(
        "partnerships/<uuid:code>/evidence/<uuid:item>/",
        evidence.evidence_detail,
        name="evidence_detail",
    ),
    path(
        "partnerships/<uuid:code>/evidence/<uuid:item>/edit",
        evidence.edit_evidence,
        name="edit_evidence",
    ),
    path(
        "partnerships/<uuid:code>/evidence/<uuid:item>/delete",
        evidence.delete_evidence,
        name="delete_evidence",
    ),
    path(
        "partnerships/<uuid:code>/evidence/<uuid:item>/download",
        evidence.download_evidence,
        name="download_evidence",
    ),
    path("partnerships/<uuid:code>/assessments/new", assessments.start, name="start_assessment"),
    path("assessments/<uuid:code>/", assessments.assessment_home, name="assessment_home"),
    path("assessments/<uuid:code>/assign", assessments.assign, name="assign_themes"),
    path("assessments/<uuid:code>/check", assessments.check_answers, name="check_answers"),
    path("assessments/<uuid:code>/submit", assessments.submit_for_review, name="submit_assessment"),
    path("assessments/<uuid:code>/return", assessments.back_to_draft, name="return_to_draft"),
    path("assessments/<uuid:code>/sign-off", signoff.sign_off_assessment, name="sign_off"),
    path("assessments/<uuid:code>/approve", signoff.approve_assessment, name="approve_assessment"),
    path(
        "assessments/<uuid:code>/return-for-changes",
        signoff.return_assessment,
        name="return_assessment",
    ),
    path("assessments/<uuid:code>/board-approval", signoff.board_approval, name="board_approval"),
    path("assessments/<uuid:code>/challenges/", challenges.challenge_list, name="challenge_list"),
    path("assessments/<uuid:code>/challenges/new", challenges.new_challenge, name="new_challenge"),
    path(
        "assessments/<uuid:code>/challenges/<uuid:challenge>/",
        challenges.challenge_detail,
        name="challenge_detail",
    ),
    path(
        "assessments/<uuid:code>/challenges/<uuid:challenge>/respond",
        challenges.respond_to_challenge,
        name="respond_to_challenge",
    ),
    path(
        "assessments/<uuid:code>/challenges/<uuid:challenge>/resolve",
        challenges.resolve_challenge,
        name="resolve_challenge",
    ),
    path("assessments/<uuid:code>/reopen", assessments.reopen_assessment, name="reopen"),
    path("assessments/<uuid:code>/activity", assessments.activity, name="activity"),
    path("assessments/<uuid:code>/results", results.results, name="results"),
    path("assessments/<uuid:code>/report", reports.prepare_report, name="prepare_report"),
    path("assessments/<uuid:code>/report.pdf", reports.report_pdf, name="report_pdf"),
    path(
        "assessments/<uuid:code>/board-pack", reports.prepare_board_pack, name="prepare_board_pack"
    ),
    path("assessments/<uuid:code>/board-pack.pdf", reports.board_pack_pdf, name="board_pack_pdf"),
    path("assessments/<uuid:code>/export", reports.prepare_export_json, name="prepare_export_json"),
    path("assessments/<uuid:code>/export.json", reports.export_json, name="export_json"),
    path("assessments/<uuid:code>/answers", reports.prepare_export_csv, name="prepare_export_csv"),
    path("assessments/<uuid:code>/answers.csv", reports.export_csv, name="export_csv"),
    path(
        "assessments/<uuid:code>/export-with-evidence",
        reports.prepare_export_zip,
        name="prepare_export_zip",
    ),
    path("assessments/<uuid:code>/export.zip", reports.export_zip, name="export_zip"),
    path(
        "partnerships/<uuid:code>/assessments/import", reports.import_json, name="import_assessment"
    ),
    path("assessments/<uuid:code>/benchmarks", results.benchmarks, name="benchmarks"),
    path("assessments/<uuid:code>/compare", results.compare_assessments, name="compare"),
    path("assessments/<uuid:code>/trend", results.trend, name="trend"),
    path("assessments/<uuid:code>/actions/", actions.action_plan, name="action_plan"),
    path("assessments/<uuid:code>/actions/new", actions.new_action, name="new_action"),
    path("assessments/<uuid:code>/actions/export.csv", actions.actions_csv, name="actions_csv"),
    path(
        "assessments/<uuid:code>/actions/<uuid:action>/",
        actions.action_detail,
        name="action_detail",
    ),
    path(
        "assessments/<uuid:code>/actions/<uuid:action>/edit",
        actions.edit_action,
        name="edit_action",
    ),
    path(
        "assessments/<uuid:code>/actions/<uuid:action>/comment",
        actions.comment_on_action,
        name="comment_on_action",
    ),
    path("assessments/<uuid:code>/themes/<str:theme>/", answers.theme, name="theme"),
    path("assessments/<uuid:code>/themes/<str:theme>/autosave", answers.autosave, name="autosave"),
    path("assessments/<uuid:code>/themes/<str:theme>/comments", answers.comment, name="comment"),
    path(
        "assessments/<uuid:code>/themes/<str:theme>/agencies/<str:agency>/",
        agency_views.agency_view,
        name="agency_view",
    ),
    path(
        "assessments/<uuid:code>/themes/<str:theme>/agencies/<str:agency>/autosave",
        agency_views.agency_autosave,
        name="agency_autosave",
    ),
    path(
        "assessments/<uuid:code>/themes/<str:theme>/agencies/<str:agency>/submit",
        agency_views.submit_agency_view,
        name="submit_agency_view",
    ),
    path(
        "assessments/<uuid:code>/themes/<str:theme>/moderate/",
        agency_views.moderate_theme,
        name="moderate_theme",
    ),
    path(
        "assessments/<uuid:code>/themes/<str:theme>/moderate/moderator",
        agency_views.name_moderator,
        name="name_moderator",
    ),
    path(
        "assessments/<uuid:code>/themes/<str:theme>/moderate/<str:question>",
        agency_views.moderate_question,
        name="moderate_question",
    ),
    path(
        "assessments/<uuid:code>/themes/<str:theme>/dissent/<str:question>",
        agency_views.record_dissent,
        name="record_dissent",
    ),
    path(
        "assessments/<uuid:code>/results/agencies",
        agency_views.agency_results,
        name="agency_results",
    ),
    path(
        "assessments/<uuid:code>/answers/<str:question>/history",
        answers.answer_history,
        name="answer_history",
    ),
    path("invitations/<str:token>/", invitations.accept_invitation, name="accept_invitation"),
    path("account", pages.account, name="account"),
    # People do not change their own sign-in address (it would forge who did what in the
    # records and take over invitations): allauth's page for it goes to the account page.
    path("accounts/email/", RedirectView.as_view(pattern_name="account"), name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = pages.permission_denied
handler500 = pages.server_error
