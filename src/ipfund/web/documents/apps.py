"""App registration for documents (its one model: the numbers documents were issued under)."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ipfund.web.documents"
    label = "documents"
    verbose_name = "公文"
