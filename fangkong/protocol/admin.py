from django.contrib import admin

from fangkong.protocol.models import ProtocolProfile


@admin.register(ProtocolProfile)
class ProtocolProfileAdmin(admin.ModelAdmin):
    """Read-only: profiles are created and changed on the protocol pages (or the API), whose
    services check the values, refuse to rewrite rules in force and audit every change."""

    list_display = ("name", "code", "disease", "valid_from")
    readonly_fields = ("code", "name", "disease", "valid_from", "source_doc", "values")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
