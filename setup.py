"""The compiled reader of bulk evaluation (src/ipfund/engine/_columns.c); everything else about the
package is in pyproject.toml. `optional`: where no C compiler is at hand, ipfund installs without
it and bulk evaluation reads with msgspec alone (the same decisions, more slowly)."""

import hashlib
from pathlib import Path

from setuptools import Extension, setup

SOURCE = "src/ipfund/engine/_columns.c"
# The module carries the SHA-256 of the source it was built from; ipfund.engine.compiled refuses a
# build whose source has changed since (a pull without a rebuild).
DIGEST = hashlib.sha256((Path(__file__).parent / SOURCE).read_bytes()).hexdigest()

setup(
    ext_modules=[
        Extension(
            "ipfund.engine._columns",
            [SOURCE],
            optional=True,
            define_macros=[("IPFUND_COLUMNS_SHA256", f'"{DIGEST}"')],
            extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
        )
    ]
)
