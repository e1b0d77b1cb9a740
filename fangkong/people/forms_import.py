"""The upload form of the resident import."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACCEPTED = (".xlsx", ".csv")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )
    dry_run = forms.BooleanField(label=_("Check only: report what would happen, write nothing"),
                                 required=False)
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: import nothing if any row is rejected"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED):
            raise forms.ValidationError(gettext("Upload an .xlsx or .csv file."), code="kind")
        limit = settings.FANGKONG_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                gettext("The file is larger than %(mb)s MB: split it into smaller files.")
                % {"mb": limit // (1024 * 1024)}, code="size")
        return upload
