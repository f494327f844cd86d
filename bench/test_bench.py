"""Tests for the pure parts of bench/bench.py (no timing is ever asserted).

Run with `python3 -m pytest bench/` or `python3 bench/test_bench.py`.
"""

from __future__ import annotations

import contextlib
import io
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402


class ExpandCodeRange(unittest.TestCase):
    def test_single_code(self):
        self.assertEqual(bench.expand_code_range("B006"), ["B006"])
        self.assertEqual(bench.expand_code_range("W0102"), ["W0102"])
        self.assertEqual(bench.expand_code_range("E0601"), ["E0601"])

    def test_range_with_bare_end(self):
        self.assertEqual(
            bench.expand_code_range("ASYNC220-222"), ["ASYNC220", "ASYNC221", "ASYNC222"]
        )

    def test_range_with_prefixed_end_keeps_padding(self):
        self.assertEqual(
            bench.expand_code_range("DTZ001-DTZ007"),
            ["DTZ001", "DTZ002", "DTZ003", "DTZ004", "DTZ005", "DTZ006", "DTZ007"],
        )
        self.assertEqual(bench.expand_code_range("S501-S504"), ["S501", "S502", "S503", "S504"])

    def test_short_end_replaces_trailing_digits(self):
        self.assertEqual(bench.expand_code_range("B901-3"), ["B901", "B902", "B903"])

    def test_degenerate_ranges_yield_endpoints(self):
        self.assertEqual(bench.expand_code_range("B010-B010"), ["B010"])
        self.assertEqual(bench.expand_code_range("B020-B010"), ["B020", "B010"])
        self.assertEqual(bench.expand_code_range("S101-B105"), ["S101", "B105"])

    def test_not_a_code(self):
        self.assertEqual(bench.expand_code_range("none"), [])
        self.assertEqual(bench.expand_code_range(""), [])
        self.assertEqual(bench.expand_code_range("flake8-async"), [])


class ExtractCodes(unittest.TestCase):
    def test_free_text_is_tolerated(self):
        self.assertEqual(
            bench.extract_codes("ASYNC103, ASYNC104 (flake8-async)"), ["ASYNC103", "ASYNC104"]
        )
        self.assertEqual(bench.extract_codes("W0621 (partial)"), ["W0621"])
        self.assertEqual(bench.extract_codes("none (mypy unused-coroutine)"), [])
        self.assertEqual(bench.extract_codes("D101-D103, D106"), ["D101", "D102", "D103", "D106"])


class PeerCodes(unittest.TestCase):
    RULES = [
        {"code": "PF101", "default": True, "peers": ["ASYNC210", "ASYNC220-222"]},
        {"code": "PF401", "default": True, "peers": ["B006", "W0102", "ASYNC210"]},
        {"code": "PF410", "default": True, "peers": ["DTZ001-DTZ003"]},
        {"code": "PF110", "default": False, "peers": ["C901"]},
        {"code": "PF102", "default": True, "peers": []},
        {"code": "PF001", "default": True},
    ]

    def test_defaults_only_expanded_deduplicated_in_order(self):
        self.assertEqual(
            bench.peer_codes_of_enabled_rules(self.RULES),
            [
                "ASYNC210",
                "ASYNC220",
                "ASYNC221",
                "ASYNC222",
                "B006",
                "W0102",
                "DTZ001",
                "DTZ002",
                "DTZ003",
            ],
        )

    def test_selection_by_code_and_prefix_ignores_defaults(self):
        self.assertEqual(
            bench.peer_codes_of_enabled_rules(self.RULES, ["PF11", "PF401"]),
            ["B006", "W0102", "ASYNC210", "C901"],
        )
        self.assertEqual(bench.peer_codes_of_enabled_rules(self.RULES, ["PF9"]), [])

    def test_wrapped_list_and_string_peers(self):
        rules = {"rules": [{"code": "PF201", "default": True, "peers": "E722, B001"}]}
        self.assertEqual(bench.peer_codes_of_enabled_rules(rules), ["E722", "B001"])

    def test_not_a_list_is_an_error(self):
        with self.assertRaises(bench.BenchError):
            bench.peer_codes_of_enabled_rules("nope")

    def test_select_keeps_codes_ruff_knows(self):
        ruff = bench.RuffRules.from_json(
            [
                {"code": "B006", "status": {"Stable": {"since": "v0.0.1"}}},
                {"code": "ASYNC220", "status": {"Stable": {"since": "v0.0.1"}}},
                {"code": "B909", "status": {"Preview": {"since": "v0.3.0"}}},
                {"code": "RUF100", "preview": False},
                {"code": "PLR1701", "status": {"Removed": {"since": "v0.5.0"}}},
            ]
        )
        peers = ["B006", "W0102", "B909", "ASYNC220", "PLR1701", "RUF100"]
        self.assertEqual(
            bench.select_ruff_codes(peers, ruff, preview=False),
            (["B006", "ASYNC220", "RUF100"], ["B909"], ["W0102", "PLR1701"]),
        )
        self.assertEqual(
            bench.select_ruff_codes(peers, ruff, preview=True)[0],
            ["B006", "B909", "ASYNC220", "RUF100"],
        )


class Median(unittest.TestCase):
    def test_odd(self):
        self.assertEqual(bench.median([3.0, 1.0, 2.0]), 2.0)

    def test_even(self):
        self.assertEqual(bench.median([4, 1, 3, 2]), 2.5)

    def test_single(self):
        self.assertEqual(bench.median([0.25]), 0.25)

    def test_empty(self):
        with self.assertRaises(ValueError):
            bench.median([])


class Misc(unittest.TestCase):
    def test_ratio(self):
        self.assertEqual(bench.ratio(1.0, 2.0), 0.5)
        self.assertIsNone(bench.ratio(1.0, 0.0))
        self.assertIsNone(bench.ratio(None, 2.0))

    def test_median_of_round_ratios_pairs_each_round(self):
        # Round 2 ran on a slow stretch: both runs doubled, their ratio did not.
        self.assertEqual(bench.median_of_round_ratios([1.5, 3.0, 1.5], [1.0, 2.0, 1.0]), 1.5)
        # Rounds 2 and 3 met different stretches: the ratio of the medians
        # (1.5 / 2.0) pairs runs of different rounds, each round's ratio does not.
        self.assertEqual(bench.median_of_round_ratios([1.5, 3.0, 1.4], [1.0, 2.0, 2.0]), 1.5)
        of_medians = bench.ratio(bench.median([1.5, 3.0, 1.4]), bench.median([1.0, 2.0, 2.0]))
        self.assertEqual(of_medians, 0.75)
        self.assertIsNone(bench.median_of_round_ratios([], []))
        self.assertIsNone(bench.median_of_round_ratios([1.0], [0.0]))

    def test_compute_ratios_reads_each_tools_medians(self):
        def tool(wall, cpu=1.0, rss=100, walls=None):
            return {
                "median_wall_s": wall,
                "median_cpu_s": cpu,
                "median_peak_rss_kib": rss,
                "wall_s": walls or [wall],
            }

        tools = {
            "pitfall": tool(0.6, cpu=1.2, rss=50, walls=[0.6, 0.9]),
            "ruff": tool(0.8, rss=100),
            "floor": tool(0.4, cpu=0.8, walls=[0.4, 0.5]),
        }
        ratios = bench.compute_ratios(tools)
        self.assertAlmostEqual(ratios["pitfall/ruff time"], 0.75)
        self.assertAlmostEqual(ratios["pitfall/floor time"], 1.5)
        self.assertAlmostEqual(ratios["ruff/floor time"], 2.0)
        self.assertAlmostEqual(ratios["pitfall/ruff peak RSS"], 0.5)
        self.assertAlmostEqual(ratios["pitfall/floor CPU time"], 1.5)
        self.assertAlmostEqual(ratios["pitfall/floor by round"], 1.65)
        self.assertNotIn("index/floor time", ratios, "no index tool was run")
        tools["index"] = tool(0.5)
        ratios = bench.compute_ratios(tools)
        self.assertAlmostEqual(ratios["index/floor time"], 1.25)
        self.assertAlmostEqual(ratios["pitfall/index time"], 1.2)
        # Every ratio has a line of its own in the table.
        self.assertLessEqual(set(ratios), set(bench.TARGETS))

    def test_parse_floor_output(self):
        self.assertEqual(bench.parse_floor_output("files=1791 parse_errors=6\n"), (1791, 6, 0))
        self.assertEqual(
            bench.parse_floor_output("files=10 parse_errors=0 unreadable=2"), (10, 0, 2)
        )
        self.assertIsNone(bench.parse_floor_output("garbage"))

    def test_index_floor_command_passes_the_flag_before_the_path(self):
        self.assertEqual(
            bench.index_floor_command("/bin/parse-floor", Path("/lib/py")),
            ["/bin/parse-floor", "--index", "/lib/py"],
        )

    def test_ruff_command_uses_exclude_and_isolated(self):
        cmd = bench.ruff_check_command("ruff", Path("/lib"), ["B006", "E722"], preview=False)
        self.assertEqual(
            cmd,
            [
                "ruff",
                "check",
                "--isolated",
                "--no-cache",
                "--exit-zero",
                "--quiet",
                "--select",
                "B006,E722",
                "--exclude",
                "site-packages",
                "/lib",
            ],
        )

    def test_pitfall_command_keeps_only_flags_the_help_lists(self):
        full = "  --no-cache\n  --exit-zero\n  -q, --quiet\n  --extend-exclude <PATTERN>\n"
        self.assertEqual(
            bench.pitfall_check_command_for("pitfall", Path("/lib"), full),
            [
                "pitfall",
                "check",
                "--no-cache",
                "--exit-zero",
                "-q",
                "/lib",
                "--extend-exclude",
                "site-packages",
            ],
        )
        with contextlib.redirect_stderr(io.StringIO()) as notes:
            cmd = bench.pitfall_check_command_for("pitfall", Path("/lib"), "  --quiet\n")
        self.assertEqual(cmd, ["pitfall", "check", "--quiet", "/lib"])
        self.assertIn("no --no-cache", notes.getvalue())

    def test_select_is_passed_to_pitfall(self):
        cmd = bench.pitfall_check_command_for(
            "pitfall", Path("/lib"), "  --select\n", ["PF0", "PF101"]
        )
        self.assertEqual(cmd[-2:], ["--select", "PF0,PF101"])

    def test_foundation_is_issue_twos_rule_set(self):
        args = bench.parse_args(["--foundation"])
        self.assertEqual(args.select, list(bench.FOUNDATION_SELECT))
        self.assertIsNone(bench.parse_args([]).select)
        with self.assertRaises(SystemExit):
            bench.parse_args(["--foundation", "--select", "PF1"])

    def test_smoke_means_one_round_no_warmup(self):
        args = bench.parse_args(["--smoke"])
        self.assertEqual((args.rounds, args.warmup), (1, 0))
        args = bench.parse_args([])
        self.assertEqual((args.rounds, args.warmup), (10, 1))


if __name__ == "__main__":
    unittest.main()
