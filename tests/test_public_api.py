"""One public surface: ``steelman.__all__`` is sorted, complete and importable."""

from __future__ import annotations

import steelman
from steelman import errors


def test_all_is_sorted_and_importable() -> None:
    names = [n for n in steelman.__all__ if n != "__version__"]
    # constants first, then classes, then functions (the order ruff's RUF022 keeps)
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    for name in steelman.__all__:
        assert hasattr(steelman, name), name


def test_every_error_is_exported_and_derives_from_the_base() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert name in steelman.__all__
        assert issubclass(cls, errors.SteelmanError)


def test_record_error_names_file_line_and_field() -> None:
    err = errors.RecordError("missing field", path="in.jsonl", line=3, field="text")
    assert str(err) == "in.jsonl, line 3, field 'text': missing field"
    assert isinstance(err, ValueError)
