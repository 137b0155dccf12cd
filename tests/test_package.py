"""The installable package: its public API, its command line, its notebook, and what importing it loads."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import caremap
from geo.errors import RoadNetworkError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "notebook.ipynb"


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_importing_caremap_loads_neither_streamlit_nor_folium():
    done = _python("import sys, caremap; print(sorted(m for m in ('streamlit', 'folium', 'streamlit_folium') "
                   "if m in sys.modules))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_report_leaves_matplotlibs_backend_alone(tmp_path):  # a fresh process: the point is its backend
    code = ("import matplotlib, caremap; from analyses import report; data = caremap.load_data('rutland'); "
            "engine = caremap.travel_engine('rutland', 'estimate'); homes = caremap.care_homes(data); "
            "report.build_report(data, homes.homes, engine, homes_source='test', year=2028, sites=0); "
            "print(matplotlib.get_backend())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "MPLBACKEND": "svg"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().lower() == "svg"


def test_the_package_is_installed_not_patched_onto_the_path():
    # Tests, app and CLI import the installed project; nothing edits sys.path by hand.
    done = subprocess.run([sys.executable, "-c", "import caremap, geo; print(caremap.__version__)"],
                          capture_output=True, text=True, cwd="/", timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == caremap.__version__
    hack = "sys.path." + "insert"  # spelt apart so this test does not find itself
    patched = [str(path.relative_to(ROOT)) for folder in ("caremap", "geo", "layers", "routing", "analyses", "ui",
                                                          "app_pages", "tests", "bench", "scripts")
               for path in (ROOT / folder).rglob("*.py") if hack in path.read_text()]
    assert patched == [] and "sys.path" not in (ROOT / "app.py").read_text()


def test_engine_names(rutland):
    assert caremap.engine_names(rutland.council) == ["bundled", "download", "estimate"]
    assert caremap.engine_names("herefordshire") == ["estimate", "download"]
    assert caremap.travel_engine("herefordshire", "estimate").is_estimate
    with pytest.raises(RoadNetworkError, match="Herefordshire has no bundled road network"):
        caremap.travel_engine("herefordshire", "bundled")
    with pytest.raises(RoadNetworkError, match="neither a travel engine name"):
        caremap.travel_engine("rutland", "no-such-file.pbf")


def test_fee_zones_default_to_the_councils_own_radius(herefordshire):
    engine = caremap.travel_engine("herefordshire", "estimate")
    default = caremap.classify_fee_zones(herefordshire, engine)
    assert int(default["inside_straight"].sum()) == 4_203  # the four-mile rule of the council's settings
    wider = caremap.classify_fee_zones(herefordshire, engine, radius_miles=6)
    assert wider["inside_straight"].sum() > default["inside_straight"].sum()


def test_command_line_help_reads_for_a_planner():
    done = subprocess.run([sys.executable, "-m", "caremap", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for command in ("report", "rounds", "fee-zones", "councils"):
        assert command in done.stdout
    assert "examples:" in done.stdout and "ESTIMATE" in done.stdout


def test_councils_command_lists_figures_with_sources(capsys):
    from caremap import cli

    assert cli.main(["councils", "--council", "herefordshire"]) == 0
    printed = capsys.readouterr().out
    assert "Care-home bed need, aged 65+" in printed and "Market Position Statement 2020-25" in printed


@pytest.mark.slow
def test_the_notebook_runs_top_to_bottom(tmp_path):
    """Every code cell of examples/notebook.ipynb, in order, in one namespace, as a kernel would run them (in the
    tests' own home, so Rutland's network built once for the session is read from its cache)."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = [("".join(cell["source"])) for cell in cells if cell["cell_type"] == "code"]
    assert code, "the notebook has no code cells"
    script = tmp_path / "notebook.py"
    lines = [line for cell in code for line in [*cell.splitlines(), ""] if not line.lstrip().startswith("%")]
    script.write_text("\n".join(lines))  # IPython magics (%matplotlib) are for the notebook only
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning:__main__", str(script)], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path, env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout.splitlines()
    assert printed[0].startswith("Road network: OpenStreetMap extract of Rutland")
    assert printed[1].startswith("4 miles (") and re.fullmatch(r"\d+ of \d+ rounds viable through the week", printed[2])
    assert (tmp_path / "rutland_coverage.pdf").read_bytes().startswith(b"%PDF")
