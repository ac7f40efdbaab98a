"""Build hook: what a wheel carries beyond the `enrich` folder itself.

In the repository `enrich/adapters` is a symlink to `../adapters`; an sdist
cannot carry a symlink, so wheels get the real folder copied in under the
`enrich` namespace instead.  The example's input list and its synthetic
cassette ride along as package data, so `enrich example` works from a wheel
installed anywhere.  Editable installs get none of it: the checkout already
has every file where the code looks, and a copy in site-packages would shadow
the checkout's `enrich` package.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: source path in the repository (or sdist) -> path inside the wheel
WHEEL_EXTRAS = {
    "adapters": "enrich/adapters",
    "examples/papers.txt": "enrich/_example_data/papers.txt",
    "cassettes/example.yaml": "enrich/_example_data/example.yaml",
}


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version != "editable":
            build_data["force_include"].update(WHEEL_EXTRAS)
