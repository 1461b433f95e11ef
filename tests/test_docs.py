"""The docs stay true: tutorial code runs, the model page matches the code's docstrings."""

import re

import pytest

from conftest import ROOT
from peninsula.report.model_doc import build


@pytest.mark.slow
def test_tutorial_code_blocks_run():
    text = (ROOT / "docs" / "tutorial.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/tutorial.md", "exec"), namespace)  # noqa: S102


def test_model_page_is_generated_from_current_docstrings():
    assert (ROOT / "docs" / "model.md").read_text() == build(), \
        "docs/model.md is stale: run python -m peninsula.report.model_doc"
