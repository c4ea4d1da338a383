"""Shared test fixtures: paths resolve from this file, never from the working directory."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["sparql_server"]  # a real SPARQL server for tests/test_remote.py

TESTS_DIR = Path(__file__).resolve().parent
TEST_DATA_DIR = TESTS_DIR / "data"
PROJECT_DIR = TESTS_DIR.parent
SEED = TEST_DATA_DIR / "seed" / "A_RES_67_185.txt"
SEED_GOLD = TEST_DATA_DIR / "seed" / "A_RES_67_185.gold.json"
TEXT_DIR = TEST_DATA_DIR / "text"
GOLD_DIR = TEXT_DIR / "gold"
