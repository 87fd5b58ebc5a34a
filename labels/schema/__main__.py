"""``python -m labels.schema``: regenerate ``labels/schema/chatsift.label.v1.json``."""

from labels.schema import main

raise SystemExit(main())
