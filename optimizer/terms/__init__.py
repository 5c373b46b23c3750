"""Plans across terms: the posting ledger and recall repair.

Ledger: ``ledger`` (import a dataset's history, approve a plan, the entry points) on
``history`` (the file opened and read: postings as of a date, the exported history table)
and ``record`` (a batch checked and written in one transaction, with its undo record), over
``db`` (the SQLite file, its lock and privacy); ``intake`` reads an approved plan folder,
``check`` verifies it against its dataset and policy first, ``revoke`` takes a batch back.

Recall repair (``replan``): ``recall`` reads the recall and the base plan and finds what is
lost, ``repair`` builds and solves the repair model, ``changes`` writes the repaired tables
against the base plan.
"""
