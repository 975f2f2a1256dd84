from django.urls import path

from guichet.dossiers.views import office, portal, request

portal_patterns = (
    [
        path("demande/<slug:code>/", request.request_start, name="file_request"),
        path("demande/<slug:code>/<slug:step>/", request.request_step, name="request_step"),
        path("dossiers/", portal.my_dossiers, name="my_dossiers"),
        path("dossiers/lier/", portal.link_start, name="link_start"),
        path("dossiers/lier/code/", portal.link_confirm, name="link_confirm"),
        path("dossiers/<str:number>/", portal.dossier_detail, name="dossier"),
        path("dossiers/<str:number>/envoyee/", request.filed, name="filed"),
        path("dossiers/<str:number>/documents/", portal.send_documents, name="send_documents"),
        path("dossiers/<str:number>/elements/", portal.answer_items, name="answer_items"),
        path("dossiers/<str:number>/observations/", portal.send_observations, name="observations"),
        path("dossiers/<str:number>/revision/", portal.request_review, name="review"),
        path("dossiers/<str:number>/retrait/", portal.withdraw, name="withdraw"),
        path("dossiers/<str:number>/changement/", portal.report_change, name="change"),
        path("dossiers/<str:number>/lettres/<int:letter_id>/", portal.letter_pdf, name="letter"),
        path(
            "dossiers/<str:number>/documents/<int:document_id>/",
            portal.document_file,
            name="document",
        ),
    ],
    "portal",
)

office_patterns = (
    [
        path("", office.worklist, name="worklist"),
        path("courrier/", office.record_mail, name="record_mail"),
        path("dossiers/<str:number>/", office.dossier_detail, name="dossier"),
        path("dossiers/<str:number>/lettres/<int:letter_id>/", office.letter_pdf, name="letter"),
        path(
            "dossiers/<str:number>/documents/<int:document_id>/",
            office.document_file,
            name="document",
        ),
        path("dossiers/<str:number>/<slug:action>/", office.dossier_action, name="action"),
    ],
    "office",
)
