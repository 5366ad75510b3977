"""Settings: declared once with help, validated at start-up, unknown keys refused with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from steelman.errors import InputError
from steelman.server.settings import Settings, load_settings, settings_help


def test_every_setting_has_a_default_and_help() -> None:
    for name, (default, help_text) in settings_help().items():
        assert help_text and help_text.endswith((".", ")")), name
        assert getattr(Settings(), name) == default


def test_file_then_environment_then_arguments(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('policy = "note"\nport = 9000\ncors_origins = ["https://a.example"]\n')
    env = {"STEELMAN_PORT": "9100", "STEELMAN_TRUST_PROXY": "yes", "HOME": "/ignored"}
    s = load_settings(path, env=env, edit_window_s=60)
    assert (s.policy, s.port, s.trust_proxy, s.edit_window_s) == ("note", 9100, True, 60)
    assert s.cors_origins == ["https://a.example"]
    assert load_settings(
        env={"STEELMAN_CORS_ORIGINS": "https://a.example, https://b.example"}
    ).cors_origins == [
        "https://a.example",
        "https://b.example",
    ]


def test_the_judges_own_variable_is_not_a_server_setting() -> None:
    # STEELMAN_JUDGE_KERNELS is read by the judge: a server started with it set must start
    s = load_settings(env={"STEELMAN_JUDGE_KERNELS": "float", "STEELMAN_PORT": "9200"})
    assert s.port == 9200
    with pytest.raises(InputError, match="unknown setting 'judge_kernel'"):
        load_settings(env={"STEELMAN_JUDGE_KERNEL": "float"})


@pytest.mark.parametrize(
    ("kwargs", "env", "words"),
    [
        ({}, {"STEELMAN_POLICI": "hold"}, "did you mean 'policy'"),
        ({"polic": "hold"}, {}, "did you mean 'policy'"),
        ({"policy": "delete"}, {}, "publish, hold, note"),
        ({"min_level": "DH9"}, {}, "DH0-DH6"),
        ({"database": "mysql://x"}, {}, "sqlite:///PATH"),
        ({"cors_origins": ["*"]}, {}, "'*' is not allowed"),
        ({}, {"STEELMAN_PORT": "eighty"}, "not a int"),
        ({}, {"STEELMAN_SECURE_COOKIES": "maybe"}, "not true or false"),
        ({"max_batch": 0}, {}, "at least 1"),
    ],
)
def test_bad_settings_are_refused_with_a_hint(
    kwargs: dict[str, object], env: dict[str, str], words: str
) -> None:
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace("*", r"\*")):
        load_settings(env=env, **kwargs)


def test_unknown_key_in_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text("edit_window = 10\n")
    with pytest.raises(InputError, match=r"site.toml; did you mean 'edit_window_s'"):
        load_settings(path)


def test_defaults_file_documents_every_setting_and_loads_back(tmp_path: Path) -> None:
    from steelman.server.settings import defaults_toml

    text = defaults_toml()
    for name, (_, help_text) in settings_help().items():
        assert f"# {help_text}\n{name} = " in text
    path = tmp_path / "site.toml"
    path.write_text(text)
    assert load_settings(path) == Settings()
