"""Static files on the embedded default: collected under var/static with brotli and gzip copies,
served by WhiteNoise as in production (settings/dev.py), without hashed names."""

import os

from whitenoise.storage import CompressedStaticFilesStorage


class CompressedOnceStaticFilesStorage(CompressedStaticFilesStorage):
    """WhiteNoise's compressed storage, compressing only files whose copies are missing or older.

    `masthead run` collects static files on every start; WhiteNoise would compress every file each
    time (half a minute for the admin's files on two cores). Its copies carry the original's
    modification time, so an unchanged file is recognised and skipped.
    """

    def post_process(self, paths, dry_run=False, **options):
        changed = {path: value for path, value in paths.items() if not self._compressed(path)}
        yield from super().post_process(changed, dry_run=dry_run, **options)

    def _compressed(self, path):
        try:
            mtime = os.stat(self.path(path)).st_mtime
        except FileNotFoundError:
            return False
        for suffix in (".br", ".gz"):
            try:
                if os.stat(self.path(path) + suffix).st_mtime == mtime:
                    return True
            except FileNotFoundError:
                continue
        return False
