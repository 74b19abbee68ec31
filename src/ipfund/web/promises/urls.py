"""URLs of promises and recovery, the bureau's: /staff/promises/ and /staff/recoveries/."""

from django.urls import path

from . import views

app_name = "promises"

urlpatterns = [
    path("staff/promises/", views.promise_list, name="list"),
    path("staff/promises/<int:pk>/", views.promise_detail, name="detail"),
    path("staff/promises/<int:pk>/letter/", views.promise_letter, name="letter"),
    path("staff/recoveries/<int:pk>/", views.case_detail, name="case"),
    path("staff/recoveries/<int:pk>/repay/", views.case_repay, name="repay"),
    path("staff/recoveries/<int:pk>/write-off/", views.case_write_off, name="write_off"),
    path("staff/recoveries/<int:pk>/notice.pdf", views.case_notice, name="notice"),
    path("staff/recoveries/<int:pk>/evidence/", views.case_evidence, name="evidence"),
    path("staff/write-offs/<int:pk>/decide/", views.write_off_decide, name="decide"),
    path("promises/", views.my_promises, name="mine"),
    path("promises/recoveries/<int:pk>/notice.pdf", views.my_notice, name="my_notice"),
]
