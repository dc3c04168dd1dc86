from django.urls import path

from . import views

app_name = "warmline"

urlpatterns = [
    path("", views.board, name="board"),
    path("shifts/<int:pk>/sign-up/", views.shift_sign_up, name="shift-sign-up"),
    path("shifts/<int:pk>/assign/", views.shift_assign, name="shift-assign"),
    path("my-shifts/", views.my_shifts, name="my-shifts"),
    path("assignments/<int:pk>/release/", views.shift_release, name="shift-release"),
    path("feed/<str:token>.ics", views.shift_feed, name="shift-feed"),
    path("swaps/", views.swap_list, name="swap-list"),
    path("assignments/<int:pk>/offer/", views.swap_offer, name="swap-offer"),
    path("swaps/<int:pk>/take/", views.swap_take, name="swap-take"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap-decide"),
    path("calls/", views.call_list, name="call-list"),
    path("calls/new/", views.call_create, name="call-create"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call-edit"),
]
