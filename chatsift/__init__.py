"""chatsift: sensitive-content labels for Claude Compliance API chats, never the raw text."""

__version__ = "0.1.0"
