"""The test kit for plugin authors: what happens where its servers are missing."""
pytest_plugins = ["pytester"]


def test_without_nx_27017_the_mongodb_half_skips_saying_what_to_install(pytester):
    pytester.makeconftest("""
import omegaml_core.testing.servers as servers
servers.find_nx_27017 = lambda: None
""")
    pytester.makepyfile("""
def test_uses_omega(omega):
    omega.datasets.put({"a": 1}, "x")
""")
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    assert "needs the nx-27017 server" in result.stdout.str() and "pip install 'omegaml-core[test]'" in result.stdout.str()
