"""The engine: shared splits and the runner that fits (family x split) tasks.

``splits`` makes the repeated (stratified) k-fold splits every analysis shares;
``runner`` turns a dataset and a :class:`~dllab.RunConfig` into fitted tasks,
with a progress callback and a stop check.
"""
