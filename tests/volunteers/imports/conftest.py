import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def _import_dir(tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded files go to the test's own directory; small batches run in the request."""
    with override_settings(IMPORT_DIR=str(tmp_path / "imports"), IMPORT_IN_PROCESS=False):
        yield tmp_path / "imports"
