from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fangkong.cases"
    label = "cases"
