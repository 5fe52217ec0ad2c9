"""Loaded by subprocesses the tests start (via PYTHONPATH): refuse any non-loopback connection."""

from tests_network_guard import install

install()
