"""The laboratory's forms: tubes received (scanned or pasted barcodes) and a result file."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACCEPTED = (".xlsx", ".csv")
MAX_BARCODES = 5000
_BARCODE_BREAK = re.compile(r"[\s,;\uff0c\uff1b]+")  # full-width comma and semicolon too


class LabForm(forms.Form):
    """A form acting for one of the user's laboratories (chosen on the page)."""

    lab = forms.CharField(widget=forms.HiddenInput)
    prefix_id = "lab"

    def __init__(self, *args, labs=(), **kwargs):
        kwargs.setdefault("auto_id", f"{self.prefix_id}-%s")  # two forms share one page
        super().__init__(*args, **kwargs)
        self.labs = {lab.code: lab for lab in labs}

    def clean_lab(self):
        lab = self.labs.get(self.cleaned_data["lab"])
        if lab is None:
            raise forms.ValidationError(gettext("Choose one of your laboratories."),
                                        code="lab")
        return lab


class ReceiveForm(LabForm):
    prefix_id = "receive"
    barcodes = forms.CharField(
        label=_("Barcodes of the tubes received"),
        help_text=_("Scan or paste them, one per line."),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "autofocus": True,
                                     "spellcheck": "false"}))

    def clean_barcodes(self):
        barcodes = [b for b in _BARCODE_BREAK.split(self.cleaned_data["barcodes"]) if b]
        if not barcodes:
            raise forms.ValidationError(gettext("Enter at least one barcode."), code="empty")
        if len(barcodes) > MAX_BARCODES:
            raise forms.ValidationError(
                gettext("At most %(n)s barcodes at once.") % {"n": MAX_BARCODES}, code="many")
        return barcodes


class ResultFileForm(LabForm):
    prefix_id = "upload"
    file = forms.FileField(
        label=_("Result file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}))

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


class TurnaroundForm(forms.Form):
    since = forms.DateField(label=_("Tubes closed since"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
