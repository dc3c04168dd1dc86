"""Helpers the selector submodules share."""

from __future__ import annotations


def raise_404():
    from django.http import Http404

    raise Http404
