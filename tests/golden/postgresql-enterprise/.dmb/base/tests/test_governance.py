"""Enterprise governance: asset checks pass on good data and fail on bad data; every asset has
owners and a freshness policy; the owner file names the team."""

from pathlib import Path

from dagster import materialize

from golden_module_dagster import defs
from golden_module_dagster.assets import (
    OWNERS,
    raw_records,
    records_summary,
)
from golden_module_dagster.checks import (
    ASSET_CHECKS,
    raw_records_have_unique_ids,
)
from golden_module_dagster.resources import ModuleIOManager

MODULE_ROOT = Path(__file__).resolve().parents[1]


def test_the_checks_pass_on_the_module_data(io_manager: ModuleIOManager) -> None:
    result = materialize([raw_records, records_summary, *ASSET_CHECKS], resources={"io_manager": io_manager})

    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert {evaluation.check_name for evaluation in evaluations} == {check.check_key.name for check in ASSET_CHECKS}
    assert all(evaluation.passed for evaluation in evaluations)


def test_the_unique_ids_check_fails_on_duplicates() -> None:
    result = raw_records_have_unique_ids([{"id": 1}, {"id": 1}, {"id": 2}])

    assert not result.passed
    assert result.metadata["duplicate_ids"].value == "[1]"


def test_every_check_is_registered() -> None:
    registered = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert registered == {check.check_key.name for check in ASSET_CHECKS}


def test_every_asset_has_owners_and_a_freshness_policy() -> None:
    for spec in defs.resolve_all_asset_specs():
        assert spec.owners == OWNERS, spec.key
        assert spec.freshness_policy is not None, spec.key


def test_the_codeowners_file_names_the_owning_team() -> None:
    codeowners = (MODULE_ROOT / "CODEOWNERS").read_text()
    assert "@data-team" in codeowners
