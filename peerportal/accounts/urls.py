from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("confirm-email/resend/", views.verification_resend, name="verification-resend"),
    path("me/calendar-links/rotate/", views.feed_token_rotate, name="feed-token-rotate"),
    path("me/data/", views.data_export, name="data-export"),
    path("me/delete/", views.account_delete, name="account-delete"),
    path("people/", views.people_list, name="people-list"),
    path("people/<int:pk>/role/", views.person_role_edit, name="person-role-edit"),
]
