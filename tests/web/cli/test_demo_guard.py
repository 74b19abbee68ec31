"""`ipfund demo` refuses a production deployment and a database holding real accounts (#11 item 8)."""

from __future__ import annotations


from ipfund.cli.demo import DEMO_REFUSED_PRODUCTION, DEMO_REFUSED_REAL_DATA, load_and_report
from ipfund.web.accounts.models import User
from ipfund.web.accounts.services import staff_user_create


def test_demo_refuses_production(db, settings, capsys):
    settings.PRODUCTION = True
    assert load_and_report() == 2
    assert capsys.readouterr().err.strip() == DEMO_REFUSED_PRODUCTION
    assert not User.objects.exists()


def test_demo_refuses_a_database_with_real_accounts(db, capsys):
    staff_user_create(actor=None, username="zhangsan", password="Zq-Office-2026!x", roles=["reviewer"])
    assert load_and_report() == 2
    assert capsys.readouterr().err.strip() == DEMO_REFUSED_REAL_DATA.format(count=1)
    assert User.objects.count() == 1
