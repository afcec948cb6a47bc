from django.contrib import admin

from regions.admin_mixins import NationalStaffAdmin

from .models import FrontOffice


@admin.register(FrontOffice)
class FrontOfficeAdmin(NationalStaffAdmin):
    """National staff set up offices and hand out the front-office staff role; coordinators keep
    their regions' offices on the app's own pages."""

    list_display = ["name", "region", "address", "phone"]
    list_filter = ["region"]
    search_fields = ["name", "address"]
    list_select_related = ["region"]
    autocomplete_fields = ["staff"]
