from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.scoping import region_queryset_for
from volunteer_net.forms import MAX_BIGINT, FastSelect
from volunteers.models import Volunteer

from .models import Message
from .rendering import SMS_ANNOUNCEMENT_SEGMENTS
from .selectors import MessageFilters


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(Message.Status.choices))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(Message.Kind.choices), widget=FastSelect
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_blank(Message.Channel.choices))
    q = forms.CharField(label=_("Person"), required=False, max_length=100)
    volunteer = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_BIGINT, widget=forms.HiddenInput
    )

    def clean_q(self) -> str:
        # A NUL byte reaches PostgreSQL as an error; it is no part of anybody's name.
        return str(self.cleaned_data["q"]).replace("\x00", "").strip()

    def filters(self) -> MessageFilters:
        if not self.is_valid():
            return MessageFilters()
        data = self.cleaned_data
        return MessageFilters(
            status=data["status"],
            kind=data["kind"],
            channel=data["channel"],
            volunteer=data["volunteer"],
            q=data["q"],
        )


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Send me e-mails"), required=False)
    sms = forms.BooleanField(label=_("Send me SMS"), required=False)
    announcements = forms.BooleanField(
        label=_("Send me announcements from staff"),
        required=False,
        help_text=_("News of your own shifts and visits comes whatever you choose here."),
    )


class BroadcastForm(forms.Form):
    region: forms.ModelChoiceField[Region] = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), empty_label=_("All my regions"), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_queryset_for(user)  # type: ignore[attr-defined]
        # Said while writing: SMS are paid by the part.
        self.fields["body"].help_text = gettext(
            "By SMS, the subject and text go in at most %(parts)s parts (about 200 characters in "
            "Kazakh or Russian, 450 in English); a longer text is cut short and ends with a link "
            "to the full text."
        ) % {"parts": SMS_ANNOUNCEMENT_SEGMENTS}

    def clean_subject(self) -> str:
        return str(self.cleaned_data["subject"]).replace("\x00", "")

    def clean_body(self) -> str:
        return str(self.cleaned_data["body"]).replace("\x00", "")

    def audience(self) -> Any:
        """Active volunteers of the chosen region (the service keeps it within the sender's scope)."""
        qs = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
        region = self.cleaned_data.get("region")
        return qs.filter(region=region) if region is not None else qs
