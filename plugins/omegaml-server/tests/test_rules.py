"""Access rules: regexes over resource/name/action, for a server and for a key."""
from __future__ import annotations

import pytest

from omegaml_server.rules import allowed, compile_rules, target_of


@pytest.mark.parametrize("path, target", [
    ("/api/v1/dataset/", "dataset"), ("/api/v1/dataset/sales", "dataset/sales"),
    ("/api/v1/model/clf/predict", "model/clf/predict"), ("/api/v1/job/nightly/run", "job/nightly/run"),
    ("/v2/models/clf/infer", "model/clf/infer"), ("/v2/models/clf/versions/2/infer", "model/clf@2/infer"),
])
def test_target_of_a_path(path, target):
    assert target_of(path) == target


def test_a_rule_must_match_the_whole_target():
    rules = compile_rules(["model/clf/predict"])
    assert allowed("model/clf/predict", rules)
    assert not allowed("model/clf/predict_proba", rules)
    assert not allowed("model/clf2/predict", rules)


def test_every_rule_set_must_allow():
    server, key = compile_rules(["model/.*"]), compile_rules(["model/clf/.*"])
    assert allowed("model/clf/predict", server, key)
    assert not allowed("model/other/predict", server, key)
    assert allowed("dataset/sales", None, None)


def test_bad_rules_are_refused():
    with pytest.raises(ValueError, match="not a valid regular expression"):
        compile_rules(["("])
    with pytest.raises(ValueError, match="non-empty"):
        compile_rules([""])
