"""Warm lines and their shift patterns (the schedule builder), for coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.certification.qualification import qualification_choices
from peerportal.core.permissions import role_required

from .. import selectors, services
from ..forms import ShiftPatternForm, WarmLineForm
from ..models import ShiftPattern
from ..permissions import can_manage_lines


@require_GET
@role_required("supervisor")
def line_list(request):
    lines = list(
        selectors.line_list_for(request.user, include_inactive=True).prefetch_related("patterns")
    )
    names = dict(qualification_choices())
    for line in lines:
        for pattern in line.patterns.all():
            code = pattern.required_qualification
            pattern.needs = names.get(code, code)
    return render(
        request,
        "warmline/line_list.html",
        {"lines": lines, "can_manage": can_manage_lines(request.user)},
    )


@role_required("coordinator")
def line_create(request):
    return _line_form(request, WarmLineForm(request.POST or None))


@role_required("coordinator")
def line_edit(request, pk: int):
    line = selectors.line_get_for(request.user, pk)
    return _line_form(request, WarmLineForm(request.POST or None, instance=line))


def _line_form(request, form):
    if request.method == "POST" and form.is_valid():
        services.warm_line_save(
            actor=request.user,
            line=form.save(commit=False),
            members=form.cleaned_data["members"],
            request=request,
        )
        messages.success(request, _("Warm line saved."))
        return redirect("warmline:line-list")
    return render(request, "warmline/line_form.html", {"form": form})


@role_required("coordinator")
def pattern_create(request, line_pk: int):
    line = selectors.line_get_for(request.user, line_pk)
    return _pattern_form(
        request, ShiftPatternForm(request.POST or None, instance=ShiftPattern(line=line)), line
    )


@role_required("coordinator")
def pattern_edit(request, pk: int):
    pattern = get_object_or_404(
        ShiftPattern.objects.filter(
            line__in=selectors.line_list_for(request.user, include_inactive=True)
        ),
        pk=pk,
    )
    return _pattern_form(
        request, ShiftPatternForm(request.POST or None, instance=pattern), pattern.line
    )


def _pattern_form(request, form, line):
    if request.method == "POST" and form.is_valid():
        services.shift_pattern_save(
            actor=request.user, pattern=form.save(commit=False), request=request
        )
        messages.success(request, _("Shift pattern saved; shifts are on the board."))
        return redirect("warmline:line-list")
    return render(request, "warmline/pattern_form.html", {"form": form, "line": line})
