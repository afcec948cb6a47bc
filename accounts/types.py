"""Request types for views whose user is known to be logged in (checked before use)."""

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
