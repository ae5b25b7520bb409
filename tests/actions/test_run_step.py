"""The run step's background import of the model client."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from prpilot.actions.run_step import MODEL_CLIENT, import_in_background


def test_every_module_of_the_model_client_exists_in_the_locked_sdk() -> None:
    # A module the SDK renamed would end the thread's imports there, silently: the time saved would go.
    assert [name for name in MODEL_CLIENT if importlib.util.find_spec(name) is None] == []


def test_the_modules_load_on_a_thread_of_their_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "prpilot_bg_first.py").write_text("import threading\nTHREAD = threading.current_thread().name\n")
    (tmp_path / "prpilot_bg_second.py").write_text("VALUE = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    import_in_background(("prpilot_bg_first", "prpilot_bg_second")).join(timeout=30)

    assert sys.modules["prpilot_bg_first"].THREAD == "prpilot-imports"
    assert sys.modules["prpilot_bg_second"].VALUE == 2
    for name in ("prpilot_bg_first", "prpilot_bg_second"):
        del sys.modules[name]


def test_a_failing_import_is_left_to_the_engine_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "prpilot_bg_broken.py").write_text("raise ImportError('a broken install')\n")
    (tmp_path / "prpilot_bg_after.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    thread = import_in_background(("prpilot_bg_broken", "prpilot_bg_after"))
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert "prpilot_bg_broken" not in sys.modules
    assert "prpilot_bg_after" not in sys.modules  # the rest is the engine's to import
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    with pytest.raises(ImportError, match="a broken install"):  # the engine's own import says so
        __import__("prpilot_bg_broken")
