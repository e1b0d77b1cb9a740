from django.contrib import admin

from fangkong.protocol.models import ProtocolProfile


@admin.register(ProtocolProfile)
class ProtocolProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "disease", "valid_from")
