"""Display links for the wall display (大屏, issue 18): a committee's screen shows its figures all day without
anyone's session. ``models.WallDisplay`` (imported by ``dashboard.models``), ``services`` (create, revoke, the
token's check), ``views`` (the links page, the display page and its figures), ``api`` (``/api/wall-displays/``)."""
