"""The build manifest."""


import pytest



@pytest.mark.parametrize("hashes", [{}, {"index.html": "ab"}, {"é/ü.html": "1", 'z"q\\.html': "2", "a": "3", "\u2028x": "4"}])
def test_build_manifest_is_the_json_it_always_was(hashes):
    # Written line by line for speed; readers (chorus diff, deploy scripts) parse it as JSON.
    import json

    from generator import __version__
    from generator.output.manifest import manifest_output

    document = {"generator": f"chorus {__version__}", "files": dict(sorted(hashes.items()))}
    assert manifest_output(hashes).data.decode() == json.dumps(document, indent=1, sort_keys=True) + "\n"
    assert json.loads(manifest_output(hashes).data)["files"] == hashes
