"""What a person reads: data made safe, laid out as blocks for a terminal or a pipe, or JSON.

The rooms (as httpie's ``output/``), each imported on its own so a command loads only its own:

- ``text``: every data string made safe for a screen (``safe``), and an export's own escapes;
  the one module ``errors`` needs.
- ``blocks``: ``Block``, what one part of a result looks like, whatever prints it.
- ``layout``: where blocks go: plain aligned text when piped, the terminal drawing on a tty;
  and one JSON document with ``--json``.
- ``terminal``: the terminal drawing (rich): lines wrapped at spaces, tables fitted to the
  window, sources as numbered references.
- ``query``, ``analysis``, ``edit``, ``server``: each command group's result as blocks (one
  ``*_blocks`` function per command, as ``cli/`` groups them).
"""
