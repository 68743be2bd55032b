"""Operations: Prometheus metrics, readiness checks and structured logs."""
