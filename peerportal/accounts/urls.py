from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("me/calendar-links/rotate/", views.feed_token_rotate, name="feed-token-rotate"),
    path("people/", views.people_list, name="people-list"),
    path("people/<int:pk>/role/", views.person_role_edit, name="person-role-edit"),
]
