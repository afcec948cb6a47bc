from django.contrib import admin

from volunteers.admin import ReadOnlyAdmin

from .models import Detachment


@admin.register(Detachment)
class DetachmentAdmin(ReadOnlyAdmin):
    """Detachments are created and edited on the app's pages (curator assignment included)."""

    list_display = ["school_name", "school_number", "locality", "region", "curator"]
    list_filter = ["region"]
    search_fields = ["school_name", "school_number", "locality"]
    list_select_related = ["region", "curator"]
