"""Runs the README's Python blocks marked ``<!-- test -->`` (as tabm's test_code_blocks.py does).

Blocks run in order in one namespace, so a later block can use an earlier one's names.
"""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"<!-- test -->\s*```python\n(.*?)```", re.S)


def test_readme_has_tested_blocks():
    assert len(_BLOCK.findall(README.read_text())) >= 2


def test_readme_python_blocks_run():
    namespace = {}
    for i, code in enumerate(_BLOCK.findall(README.read_text())):
        exec(compile(code, f"README.md block {i + 1}", "exec"), namespace)  # noqa: S102


def test_readme_starts_with_the_two_commands():
    text = README.read_text()
    head = text[: text.index("## ", text.index("make test"))] if "make test" in text else ""
    assert "make run" in head and "make test" in head
    assert "pip install -r requirements.txt" in text and "streamlit run app.py" in text
