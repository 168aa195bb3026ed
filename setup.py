"""Build hook: ship the top-level ``profiles/`` and ``templates/`` folders inside the wheel.

They live at the top of the repository because they are data an agency edits, not code.
In a wheel they land in ``forensic_kit/_data/``; ``forensic_kit.resources`` finds them
there, or in the source tree for an editable install.
"""

from pathlib import Path
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_DIRS = ("profiles", "templates")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        here = Path(__file__).parent
        for name in DATA_DIRS:
            src = here / name
            if not src.is_dir():
                continue
            dst = Path(self.build_lib) / "forensic_kit" / "_data" / name
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(src, dst)


setup(cmdclass={"build_py": BuildPyWithData})
