"""Helpers for the notebook tests."""


def notebook(*sources: str, parameters: str | None = None):
    """A notebook of code cells; ``parameters`` becomes a first cell tagged 'parameters'."""
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [new_code_cell(s) for s in sources]
    if parameters is not None:
        tagged = new_code_cell(parameters)
        tagged.metadata["tags"] = ["parameters"]
        cells.insert(0, tagged)
    return new_notebook(cells=cells)
