"""The practitioner evaluation: what users see for user-style descriptions (benchmarks/practitioner/)."""
