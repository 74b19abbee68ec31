"""`manage.py db_roles --database ipfund --owner ipfund_owner --app ipfund_app`: print the SQL a
PostgreSQL superuser runs once to give the platform two roles (see audit/db_roles.py), e.g.
``ipfund manage db_roles … | psql -v ON_ERROR_STOP=1 -U postgres -d ipfund``."""

from django.core.management.base import BaseCommand, CommandError

from ipfund.web.audit.db_roles import setup_sql


class Command(BaseCommand):
    help = "输出建立数据库所有者角色与应用角色的 SQL（由 PostgreSQL 超级用户执行一次）"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--database", required=True, help="数据库名")
        parser.add_argument("--owner", required=True, help="所有者角色（只用于 migrate）")
        parser.add_argument("--app", required=True, help="应用角色（gunicorn 与 Celery 以此连接）")

    def handle(self, *args, database, owner, app, **options):
        try:
            statements = setup_sql(database=database, owner=owner, app=app)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(f"{s};" for s in statements))
