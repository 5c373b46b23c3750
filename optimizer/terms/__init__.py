"""Plans across terms: the posting ledger and recall repair.

``ledger`` is the SQLite posting ledger (import, approve, export) on ``db`` (the file, its
lock and privacy); ``intake`` reads an approved plan folder for it, ``check`` verifies that
plan against its dataset and policy before anything is recorded, ``revoke`` takes a batch
back. ``replan`` repairs a plan after recalls: only damaged teams change.
"""
