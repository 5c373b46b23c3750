"""What a plan becomes once solved, and the picture before solving.

``build`` turns a solve result into SPEC §6's tables, KPIs and manifest; ``io`` writes folders
and files without losing a user's file (0600, staged, renamed into place) and ``formulas``
keeps spreadsheet formulas out of them; ``workbook``/``xlsxwrite`` write and read the
planner's ``plan.xlsx``; ``reasons`` says why a village is short (``alone``: whether it could be
completed with nobody else in the plan, some rules set aside), ``explain`` answers for one
village or cadre; ``check`` is the supply and demand picture of ``zhucun check``;
``reference`` is a plan that ties are broken toward.
"""
