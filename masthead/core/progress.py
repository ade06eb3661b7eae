"""A progress bar for long console commands (seeding, importing)."""

import time


def progress_bar(stream):
    """report(done, total, label) redraws one line per label: a bar, the count and the rate."""
    started = {}

    def report(done, total, label):
        width = 30
        began = started.setdefault(label, time.monotonic())
        filled = int(width * done / max(total, 1))
        rate = done / max(time.monotonic() - began, 1e-6)
        stream.write(
            f"\r  {label:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:.0f}/s)"
        )
        if done >= total:
            stream.write("\n")
        stream.flush()

    return report
