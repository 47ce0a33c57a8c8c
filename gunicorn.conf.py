"""Gunicorn's settings for every app process started from the project's folder (gunicorn reads this file from
the working directory): production (README.md), the soak test and the benchmarks.

No control socket: gunicorn 25.1+ opens one at a fixed default path ($XDG_RUNTIME_DIR/gunicorn.ctl or
~/.gunicorn/gunicorn.ctl), so two app processes on one host (the soak's two, or two services) take the same
path and the first to stop removes the other's ("Control server error: No such file or directory", an ERROR
record the soak counts as a failure). Tongxin does not use ``gunicornc``.
"""

control_socket_disable = True
