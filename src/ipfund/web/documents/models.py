"""IssuedDocument: the number (文号) a document was issued under — one sequence per document kind
and year; a document about one object (a claim's decision letter, a notice) keeps its number on
every reprint, a list issued afresh (the payment list) takes a new one each time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class IssuedDocument(models.Model):
    kind = models.CharField(max_length=32)  # decision_letter, notice, payment_list
    subject = models.CharField(max_length=64, blank=True)  # "claims.claim:12"; empty for a list issued afresh
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    number = models.CharField(max_length=100)
    issued_on = models.DateField()  # the date the document bears
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "year", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "serial"], name="issued_document_serial_unique"),
            models.UniqueConstraint(fields=["kind", "subject"], condition=~Q(subject=""), name="issued_document_one_per_subject"),
        ]
        verbose_name = "公文编号"
        verbose_name_plural = "公文编号"
