"""make mutate's configuration (pyproject.toml): a test file renamed or a module added must not
quietly leave mutants with no tests, or tests recorded for nothing."""

import tomllib

from tests.conftest import PROJECT

TOOL = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
FILES = TOOL["chorus"]["mutate"]["tests"]
SELECTION = TOOL["mutmut"]["pytest_add_cli_args_test_selection"]


def test_every_mutated_module_names_its_test_files_and_they_exist():
    assert sorted(FILES) == sorted(TOOL["mutmut"]["only_mutate"])
    for module, tests in FILES.items():
        assert (PROJECT / module).is_file(), module
        assert tests and all((PROJECT / test).is_file() for test in tests), (module, tests)


def test_mutmut_records_exactly_the_test_files_some_module_runs():
    recorded = {arg for arg in SELECTION if arg.startswith("tests/") and "::" not in arg}
    assert recorded == {test for tests in FILES.values() for test in tests}
    for index, arg in enumerate(SELECTION):  # a test left out is left out of a file that is recorded
        if arg == "--deselect":
            path, name = SELECTION[index + 1].split("::")
            assert path in recorded and f"def {name}(" in (PROJECT / path).read_text(encoding="utf-8"), name
