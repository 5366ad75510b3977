"""Readers for labelled data (WikiTactics, CMV) and for comment files."""

from steelman.data.jsonl import iter_jsonl
from steelman.data.labelled import Example, read_cmv, read_wikitactics

__all__ = ["Example", "iter_jsonl", "read_cmv", "read_wikitactics"]
