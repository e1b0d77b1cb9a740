from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "fangkong.protocol"
    label = "protocol"
