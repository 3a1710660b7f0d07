"""``make bench``: load, cold start and synth benchmarks of every app against baselines."""
