from django.apps import AppConfig


class ArrivalsConfig(AppConfig):
    name = "fangkong.arrivals"
    label = "arrivals"
