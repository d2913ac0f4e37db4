from tests.arrests.helpers import run_import

__all__ = ["run_import"]
