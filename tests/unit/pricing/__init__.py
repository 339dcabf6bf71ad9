"""Tests of the price table, the cost arithmetic, the Price List reader and `prices` command."""
