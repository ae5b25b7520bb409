"""The wordcount command line."""

import argparse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wordcount")
    p.add_argument("files", nargs="+")
    p.add_argument("--lines", action="store_true", help="count lines instead of words")
    p.add_argument("--total", action="store_true", help="print only the total")
    p.add_argument("--verbose", action="store_true", help="print each file's name before its count")
    return p
