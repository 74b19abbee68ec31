"""App registration for the registers and their matching (免申即享)."""

from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "ipfund.web.registers"
    label = "registers"
    verbose_name = "名单与免申即享"

    def ready(self):
        from ipfund.web.engine_door import door_reads_set

        from . import selectors

        door_reads_set(list_register_rows=selectors.list_register_rows)
