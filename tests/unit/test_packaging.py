"""The wheel is what a user gets (`pip install .`): every data file and module must be in it.

The test suite runs on an editable install, where files missing from the wheel are still found
in the source tree; this test builds the real wheel and compares it with the tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA_FOLDERS = ("graphsvc/data", "loaders/templates", "visualisations/static")
PACKAGES = ("graphsvc", "loaders", "visualisations")


def _tree_files(folder: str, suffix: str | None = None) -> set[str]:
    root = REPO / folder
    return {p.relative_to(REPO).as_posix() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            and (suffix is None or p.suffix == suffix)}


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> set[str]:
    # build from a clean copy: a build/ folder left in the checkout would hide missing files
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, src / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(src)],
                   check=True, capture_output=True, text=True, cwd=out)
    (wheel,) = out.glob("graphsvc-*.whl")
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


@pytest.mark.parametrize("folder", DATA_FOLDERS)
def test_every_data_file_is_in_the_wheel(wheel_files, folder):
    expected = _tree_files(folder)
    assert expected, f"{folder} is empty: the test would prove nothing"
    missing = sorted(expected - wheel_files)
    assert not missing, f"not in the wheel (declare them in pyproject's package-data): {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_is_in_the_wheel(wheel_files, package):
    missing = sorted(_tree_files(package, ".py") - wheel_files)
    assert not missing, f"modules missing from the wheel: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_file_the_code_may_read_is_in_the_wheel(wheel_files, package):
    # any non-Python file inside a package (a new data folder too) is there to be read
    data = {f for f in _tree_files(package) if not f.endswith(".py")}
    missing = sorted(data - wheel_files)
    assert not missing, f"not in the wheel (declare them in pyproject's package-data): {missing}"


def test_the_rules_the_analysis_reads_ship(wheel_files):
    # the file whose absence once made /gaps, /brokers, /paths … answer 500 after `pip install .`
    assert "graphsvc/data/social_capital_rules.json" in wheel_files


def test_the_docker_image_installs_the_built_wheel():
    text = (REPO / "Dockerfile").read_text()
    final_stage = text.rsplit("FROM ", 1)[1]
    assert "pip wheel" in text, "the Dockerfile should build the wheel"
    assert "pip install /dist/graphsvc-" in final_stage
    assert "pip install ." not in final_stage and "-e ." not in final_stage
