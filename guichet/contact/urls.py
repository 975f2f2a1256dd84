from django.urls import path

from guichet.contact import views

app_name = "contact"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("messages-vocaux/<int:pk>/", views.voice_message, name="voice_message"),
    path("messages-vocaux/<int:pk>/audio", views.voice_audio, name="voice_audio"),
    path("messages-vocaux/<int:pk>/transcription", views.voice_transcribe, name="voice_transcribe"),
    path("messages-vocaux/<int:pk>/rappel", views.voice_call_back, name="voice_call_back"),
    path("courriels/importer", views.eml_upload, name="eml_upload"),
    path("courriels/<int:pk>/", views.enquiry, name="enquiry"),
    path("courriels/<int:pk>/repondre", views.enquiry_answer, name="enquiry_answer"),
    path("courriels/<int:pk>/dossier", views.enquiry_link, name="enquiry_link"),
    path("pieces-jointes/<int:pk>", views.attachment, name="attachment"),
]
