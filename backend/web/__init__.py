"""Customer-facing web pages: server-rendered HTML (templates/), small vanilla
scripts and styles (static/<page>/), one module per page or concept."""
