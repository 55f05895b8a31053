//! Canadian debt-service ratios (GDS, TDS with the stress-test rate, DSCR).
