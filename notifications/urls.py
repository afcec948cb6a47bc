from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("messages/", views.staff_list, name="staff_list"),
    path("messages/broadcast/", views.broadcast_new, name="broadcast_new"),
    path("messages/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("messages/<int:pk>/retry/", views.staff_retry, name="staff_retry"),
    path("me/messages/", views.my_messages, name="my_messages"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Short: it ends an announcement's SMS, paid by the character.
    path("a/<str:token>/", views.announcement, name="announcement"),
]
