"""`flask divisions import`: any county from the national division files, idempotently."""
import pytest

from backend.cli import divisions_cli
from backend.models import Department, Township, Village
from conftest import SHARED_DATA

DIVISIONS = SHARED_DATA / "divisions"
needs_divisions = pytest.mark.skipif(not DIVISIONS.exists(), reason=f"{DIVISIONS} is not here")


def run(app, *args):
    return app.test_cli_runner().invoke(divisions_cli, ["import", *args])


@needs_divisions
def test_importing_a_county_twice_updates_and_never_duplicates(app):
    first = run(app, "410225", "--source", str(DIVISIONS))
    assert first.exit_code == 0, first.output
    with app.app_context():
        townships = Township.objects(county_code="410225").count()
        villages = Village.objects(county_code="410225").count()
        assert townships > 0 and villages > 100
        assert Department.objects(county_code="410225", kind="township").count() == townships
        assert f"{townships} townships, {villages} villages" in first.output

    second = run(app, "410225", "--source", str(DIVISIONS))
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert Township.objects(county_code="410225").count() == townships
        assert Village.objects(county_code="410225").count() == villages
        assert Village.objects(county_code="371323").count() == 386  # the demo county untouched


@needs_divisions
def test_an_unknown_county_is_a_clear_error(app):
    result = run(app, "999999", "--source", str(DIVISIONS))
    assert result.exit_code != 0
    assert "County 999999 is not in" in result.output


def test_a_malformed_county_code_is_a_clear_error(app):
    result = run(app, "41022", "--source", str(DIVISIONS))
    assert result.exit_code != 0 and "6 digits" in result.output


def test_a_missing_source_folder_or_file_is_a_clear_error(app, tmp_path):
    result = run(app, "410225", "--source", str(tmp_path / "nowhere"))
    assert result.exit_code != 0 and "does not exist" in result.output
    (tmp_path / "areas.csv").write_text("code,name,cityCode,provinceCode\n410225,\"兰考县\",4102,41\n")
    result = run(app, "410225", "--source", str(tmp_path))
    assert result.exit_code != 0 and "no streets.csv or streets.csv.gz" in result.output
