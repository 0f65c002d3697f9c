"""Generated data at scale for benchmarks: `flask academy bench generate --size S|M|L`."""
