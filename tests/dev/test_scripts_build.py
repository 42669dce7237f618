"""`python app.py` builds the storefront scripts when it can, and says so plainly when it
cannot: the shop runs without them."""

from store.dev.assets import build_scripts, scripts_missing


def test_a_missing_manifest_means_the_scripts_are_to_be_built(tmp_path):
    """No static/dist manifest: prepare knows the scripts are missing."""
    assert scripts_missing(tmp_path / ".vite" / "manifest.json")
    built = tmp_path / "manifest.json"
    built.write_text("{}")
    assert not scripts_missing(built)


def test_without_npm_the_message_says_how_to_add_the_scripts(monkeypatch):
    """A machine without npm gets a sentence naming the fix, not a traceback."""
    monkeypatch.setenv("PATH", "")
    message = build_scripts()
    assert "npm is not installed" in message and "make build" in message


def test_a_failing_npm_is_reported_and_nothing_crashes(tmp_path):
    """An npm that cannot run: the message says the shop runs without its scripts."""
    message = build_scripts(npm=str(tmp_path / "no-such-npm"))
    assert "could not be built" in message and "runs without them" in message
