"""Beside the pipeline: what a build keeps in .cache/ so the next one does less, the check that
nothing changed, the reuse of unchanged pages, and the live preview's patch."""
