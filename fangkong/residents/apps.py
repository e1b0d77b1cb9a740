from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "fangkong.residents"
    label = "residents"
