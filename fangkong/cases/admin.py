"""Read-only admin views: every change to these goes through the services, which keep the
case timeline and the audit trail; the admin is for looking, not for editing."""

from django.contrib import admin

from fangkong.cases.models import Case, CaseEvent, Facility, Outbreak


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Facility)
class FacilityAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "place", "beds")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("place",)


@admin.register(Outbreak)
class OutbreakAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "disease", "start_date")
    search_fields = ("code", "name")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "kind", "facility", "reason", "actor", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "person", "district", "classification", "clinical_type",
                    "in_control", "reported_at", "facility", "outcome")
    list_filter = ("outbreak", "classification", "outcome", "in_control", "district")
    search_fields = ("number", "person__name")
    list_select_related = ("person", "district", "facility")
    date_hierarchy = "reported_at"
    inlines = [CaseEventInline]
