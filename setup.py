"""The compiled reader of bulk evaluation (src/ipfund/engine/_columns.c); everything else about the
package is in pyproject.toml. `optional`: where no C compiler is at hand, ipfund installs without
it and bulk evaluation reads with msgspec alone (the same decisions, more slowly)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "ipfund.engine._columns",
            ["src/ipfund/engine/_columns.c"],
            optional=True,
            extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
        )
    ]
)
