"""Pytest plugin for runs of the core's tests alone, without the ML backends.

`make check` runs pytest -p tests.no_ml_backends tests/bot tests/reports: bot/ never imports
Rasa, so spaCy's thinc need not probe for TensorFlow and PyTorch at import, which costs seconds
of every such run. A test there that imports Rasa fails at once (tensorflow cannot be imported)
and belongs beside the Rasa tests instead.
"""

from bot.read.matchers import skip_unused_ml_backends

skip_unused_ml_backends()
