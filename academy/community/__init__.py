"""Community spaces: members-only networks with threads, answers, files, search and moderation."""
