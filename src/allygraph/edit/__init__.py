"""Changing a data directory without losing a byte, and reviewing changes as a diff.

Every change is a library call returning ``{"changed": [{"file", "id", "action"}]}``
(CONTRACT.md section 2.3): ``add_entity``, ``add_source``, ``link``, ``edit``, ``rename``, ``rm``,
``fmt``; ``init`` makes a data directory of one's own from the bundled data (which is read-only:
a change without a data directory of one's own is refused); and ``diff`` returns entities, relations and sources added, removed, changed and renamed.

How a change is made (``core.change``): under the data directory's lock (``fsutil.lock_data``)
both files are read as text; the change splices the located records (``doc.Doc``: PyYAML's
marks give each record's and value's offsets), so everything it does not touch keeps its bytes
(comments, order, quoting, blank lines, CRLF); new records are written in the file's style
(``emit``). The whole directory is then validated as it would be, in a scratch copy: an invalid
result raises ``DataError`` with the messages ``check`` gives, and nothing is written. Otherwise
both files are committed together (``fsutil.commit_data``). ``dry_run`` returns the unified
diff as ``"patch"`` instead of writing. ``fmt`` is the one change that rewrites layout.
"""

from .core import InUse
from .diff import compare, diff, markdown
from .init import init
from .ops import add_entity, add_source, edit, fmt, link, pairs, parse_value, rename, rm

__all__ = ["InUse", "add_entity", "add_source", "compare", "diff", "edit", "fmt", "init", "link", "markdown",
           "pairs", "parse_value", "rename", "rm"]  # fmt: skip
