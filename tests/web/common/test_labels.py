"""Applicant kinds named from the installed policies: the merge is reused while the installed
policies are the same, and a package changed (a new policy object) is named anew at once."""

from types import SimpleNamespace

from ipfund.web.common import labels


def test_a_changed_package_names_its_kinds_anew_without_a_restart(monkeypatch):
    first = SimpleNamespace(kind_labels={"enterprise": "企业", "person": "个人"})
    installed = [first]
    monkeypatch.setattr(labels, "known_policies", lambda on: list(installed))
    assert labels.kind_label("enterprise") == "企业"
    assert labels.kind_label("person") == "个人"

    # The policy officer installs a new version of the package: the engine reads it as a new object.
    installed[:] = [SimpleNamespace(kind_labels={"enterprise": "企业法人", "person": "个人"})]
    assert labels.kind_label("enterprise") == "企业法人"

    # A second package: its kinds join, the first package's names come first.
    installed.append(SimpleNamespace(kind_labels={"enterprise": "公司", "institution": "事业单位"}))
    assert labels.kind_label("enterprise") == "企业法人"
    assert labels.kind_label("institution") == "事业单位"
    assert labels.kind_label("unknown") == "unknown"
