"""Packaging beyond pyproject.toml: the gettext catalogs (automation/locale/*/LC_MESSAGES/*.po)
compiled to .mo whenever the package is built or installed, `pip install -e .` included."""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGS = Path(__file__).resolve().parent / "automation" / "locale"


def compile_catalogs() -> None:
    """Every .po compiled next to itself, as `pybabel compile` does (fuzzy entries left out). In the
    source folder, because an editable install reads the package from there."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(CATALOGS.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        compile_catalogs()
        self.__dict__.pop("data_files", None)  # setuptools finds the package data again, the .mo files now among it
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
