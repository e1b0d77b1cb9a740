"""Read-only admin views: every change to control orders goes through the services, which
keep the order's timeline and the audit trail; the admin is for looking, not for editing."""

from django.contrib import admin

from fangkong.control.models import Appeal, ControlOrder, HealthCheck, OrderEvent, ScheduledTest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("at", "kind", "reason", "detail", "actor")
    readonly_fields = fields


class ScheduledTestInline(ReadOnlyInline):
    model = ScheduledTest
    fields = ("day", "result", "recorded_at", "recorded_by")
    readonly_fields = fields


class HealthCheckInline(ReadOnlyInline):
    model = HealthCheck
    fields = ("taken_at", "temperature", "symptoms", "by_self", "recorded_by")
    readonly_fields = fields


@admin.register(ControlOrder)
class ControlOrderAdmin(ReadOnlyAdmin):
    list_display = ("person", "kind", "status", "basis", "starts_on", "ends_on", "profile")
    list_filter = ("kind", "status", "basis", "profile")
    search_fields = ("person__name", "basis_ref", "basis_case__number")
    list_select_related = ("person", "profile")
    date_hierarchy = "starts_on"
    inlines = [ScheduledTestInline, HealthCheckInline, OrderEventInline]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("order", "created_at", "answered_at")
    list_select_related = ("order__person",)
