"""``prpilot eval``: a suite of repository tasks run through the real engine on the local test bed, and scored.

``task_folder`` reads a task (``task.yml``, ``repo/``, ``check``), ``running`` runs it through the action
on the test bed and ``checking`` runs its hidden check on the result; ``report`` adds it all up as
Markdown and JSON. The built-in suite is in ``suite/``. Only the ``eval`` command imports this package.
"""
