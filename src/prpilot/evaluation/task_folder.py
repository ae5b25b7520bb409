"""A task folder: ``task.yml`` (the request, its limits, optional setup/verify), ``repo/`` (the files), ``check``.

``check`` is an executable that exits 0 when the task is solved; it is never in the repository the
agent works on. The built-in suite lives beside this module, in ``suite/``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prpilot.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

BUILTIN_SUITE = Path(__file__).resolve().parent / "suite"
MAX_REPO_BYTES = 2_000_000  # a task's repo/ is a small fixture, read into memory


class Limits(BaseModel):
    """The action's limits for this task (``max-steps``, ``max-cost`` in USD, ``max-minutes``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    max_steps: int = Field(15, alias="max-steps", ge=1, le=200)
    max_cost: Decimal | None = Field(None, alias="max-cost", ge=0)
    max_minutes: float = Field(5.0, alias="max-minutes", gt=0, le=60)


class TaskSpec(BaseModel):
    """``task.yml``: what is asked, how, and within which limits."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    request: str = Field(min_length=1, description="What follows /pilot in the comment.")
    kind: str = "task"
    title: str = ""  # the issue's title; empty: the request's first line
    setup: str = ""  # as the action's setup input: commands, one per line
    verify: str = ""  # as the action's verify input
    allowed_commands: str = Field("", alias="allowed-commands")
    limits: Limits = Limits()


class EvalTask(BaseModel):
    """One task of a suite: its name (the folder's), what task.yml says and where its folder is."""

    model_config = ConfigDict(frozen=True)

    name: str
    folder: Path
    spec: TaskSpec

    @property
    def check(self) -> Path:
        """The hidden check."""
        return self.folder / "check"

    @property
    def issue_title(self) -> str:
        """The title of the issue the request is made on."""
        return self.spec.title or self.spec.request.strip().splitlines()[0][:120]

    def files(self) -> dict[str, str]:
        """The repository's files, path -> text.

        Python's bytecode caches are left out: running the task's own tests in its folder writes them.
        """
        root = self.folder / "repo"
        files: dict[str, str] = {}
        size = 0
        for path in sorted(root.rglob("*")):
            if not path.is_file() or "__pycache__" in path.relative_to(root).parts:
                continue
            name = path.relative_to(root).as_posix()
            try:
                files[name] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"task {self.name}: repo/{name} is not a readable UTF-8 text file ({exc})") from exc
            size += len(files[name])
            if size > MAX_REPO_BYTES:
                raise ConfigError(f"task {self.name}: repo/ holds more than {MAX_REPO_BYTES:,} bytes")
        if not files:
            raise ConfigError(f"task {self.name}: repo/ has no files")
        return files

    def script(self, which: Literal["right", "wrong"]) -> Path:
        """The scripted model's replies for this task: the run that solves it, or one that does a wrong thing."""
        return self.folder / "scripted" / f"{which}.yml"


def read_yaml_model(path: Path, model: type[M], what: str, *, default: object = None) -> M:
    """``path``'s YAML as ``model``; whatever is wrong with it is said in one line that starts with ``what``.

    ``default`` stands in for an empty file.
    """
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path.name} ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what}: {path.name} is not UTF-8 text (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what}: {path.name} is not YAML ({' '.join(str(exc).split())})") from exc
    except RecursionError as exc:
        raise ConfigError(f"{what}: {path.name} is nested too deep") from exc
    try:
        return model.model_validate(raw if raw is not None else default)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = " ".join([path.name, ".".join(str(part) for part in first["loc"])]).strip()
        raise ConfigError(f"{what}: {where}: {first['msg']}") from exc


def load_task(folder: Path) -> EvalTask:
    """Read one task folder; whatever is wrong with it is said in one line."""
    spec = read_yaml_model(folder / "task.yml", TaskSpec, f"task {folder.name}", default={})
    if not (folder / "repo").is_dir():
        raise ConfigError(f"task {folder.name}: there is no repo/ folder beside task.yml")
    if not (folder / "check").is_file():
        raise ConfigError(f"task {folder.name}: there is no check beside task.yml (a command exiting 0 when solved)")
    return EvalTask(name=folder.name, folder=folder, spec=spec)


def load_suite(root: Path, only: tuple[str, ...] = ()) -> list[EvalTask]:
    """Every task folder under ``root`` (a folder holding ``task.yml``, or a folder of them), by name.

    ``only`` keeps the tasks named there; a name that is not in the suite is an error.
    """
    if not root.is_dir():
        raise ConfigError(f"--tasks {root}: no such folder")
    folders = [root] if (root / "task.yml").is_file() else sorted(p.parent for p in root.glob("*/task.yml"))
    if not folders:
        raise ConfigError(f"--tasks {root}: no task folders (each holds task.yml, repo/ and check)")
    tasks = [load_task(folder) for folder in folders]
    if only:
        names = {task.name for task in tasks}
        missing = [name for name in only if name not in names]
        if missing:
            raise ConfigError(f"no task named {', '.join(missing)} in {root} (there are: {', '.join(sorted(names))})")
        tasks = [task for task in tasks if task.name in only]
    return tasks
