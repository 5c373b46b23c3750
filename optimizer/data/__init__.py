"""Everything about a dataset before any rule applies (SPEC §5).

Typed records (:mod:`~optimizer.data.domain`) and the data contract they are read against
(:mod:`~optimizer.data.schema`); reading CSV and Excel files into located cells
(``reading``, ``textdecode``, ``xlsxcells``, ``columns``, ``parsing``); validating tables and
rows against each other (``loading``, ``references``, ``plausible``, ``contradictions``) with
every problem reported at once (:mod:`~optimizer.data.errors`); and making, sharing or
describing datasets (``generate``, ``anonymize``, ``redact``, ``template``).

Submodules are imported by name; nothing is re-exported here so that importing the light
ones (``errors``, ``schema``) does not load pandas.
"""
