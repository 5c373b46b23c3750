"""What-if scenarios: edit a dataset and a policy, solve the variants, compare the plans.

- the scenario: ``scenario`` (the model), ``files`` (reading, ``extends``), ``validate``,
  ``sweep``; data edits: ``filters`` (``where``), ``edit_checks``, ``edits``; ``build`` (the
  edited dataset and policy, ready to solve);
- solving: ``runner`` (``run``: run folders), ``jobs`` (one solve as data), ``dask_runner``;
- comparing: ``runs`` (run folders read back), ``kpis``, ``diff``, ``report`` (``comparison``
  and its files), ``tables_zh``; charts: ``plots``, ``plotmap``, ``plotfont``.

Nothing is imported here: ``zhucun run`` must not pay for pandas plotting before it solves.
"""
