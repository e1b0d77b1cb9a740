"""Admin: the command centre keeps the list of risk areas here (or at /arrivals/risk-regions/).
An entry is added or ended, never deleted or rewritten, so the list in force on any past
day stays reproducible; both go through the services, which audit them. Registrations are
for looking only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fangkong.arrivals import services
from fangkong.arrivals.models import ArrivalRegistration, RiskRegion


class RiskRegionForm(forms.ModelForm):
    class Meta:
        model = RiskRegion
        fields = ["code", "level", "valid_from", "valid_to", "source"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.instance.pk is None:
            services.check_region(code=data.get("code"), level=data.get("level"),
                                  valid_from=data.get("valid_from"),
                                  valid_to=data.get("valid_to"), source=data.get("source"))
        elif data.get("valid_to") != self.instance.valid_to:
            services.check_end(self.instance, data.get("valid_to"))
        return data


@admin.register(RiskRegion)
class RiskRegionAdmin(admin.ModelAdmin):
    form = RiskRegionForm
    list_display = ("name", "code", "level", "valid_from", "valid_to", "source")
    list_filter = ("level",)
    search_fields = ("code", "name", "source")
    date_hierarchy = "valid_from"

    def get_readonly_fields(self, request, obj=None):
        return ("code", "name", "level", "valid_from", "source") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "valid_to" in form.changed_data:
                services.risk_region_end(acting_user=request.user, region=obj,
                                         last_day=data["valid_to"],
                                         reason=str(_("Ended in the admin")))
            return
        region = services.risk_region_add(
            acting_user=request.user, code=data["code"], level=data["level"],
            valid_from=data["valid_from"], valid_to=data.get("valid_to"), source=data["source"])
        obj.pk, obj.uuid, obj.name = region.pk, region.uuid, region.name
        obj._state.adding = False


@admin.register(ArrivalRegistration)
class ArrivalRegistrationAdmin(admin.ModelAdmin):
    list_display = ("name", "arrival_day", "origin_code", "requirement", "household", "updates")
    list_filter = ("requirement", "arrival_day")
    search_fields = ("name",)
    list_select_related = ("household",)
    readonly_fields = [field.name for field in ArrivalRegistration._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
