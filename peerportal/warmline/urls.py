from django.urls import path

from . import views

app_name = "warmline"

urlpatterns = [
    path("", views.board, name="board"),
    path("month/", views.board_month, name="board-month"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift-detail"),
    path("shifts/<int:pk>/sign-up/", views.shift_sign_up, name="shift-sign-up"),
    path("shifts/<int:pk>/assign/", views.shift_assign, name="shift-assign"),
    path("shifts/<int:pk>/edit/", views.shift_edit, name="shift-edit"),
    path("my-shifts/", views.my_shifts, name="my-shifts"),
    path("assignments/<int:pk>/release/", views.shift_release, name="shift-release"),
    path("assignments/<int:pk>/remove/", views.assignment_remove, name="assignment-remove"),
    path("feed/<str:token>.ics", views.shift_feed, name="shift-feed"),
    path("swaps/", views.swap_list, name="swap-list"),
    path("assignments/<int:pk>/offer/", views.swap_offer, name="swap-offer"),
    path("swaps/<int:pk>/take/", views.swap_take, name="swap-take"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap-decide"),
    path("calls/", views.call_list, name="call-list"),
    path("calls/new/", views.call_create, name="call-create"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call-edit"),
    path("lines/", views.line_list, name="line-list"),
    path("lines/new/", views.line_create, name="line-create"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line-edit"),
    path("lines/<int:line_pk>/patterns/new/", views.pattern_create, name="pattern-create"),
    path("patterns/<int:pk>/edit/", views.pattern_edit, name="pattern-edit"),
]
