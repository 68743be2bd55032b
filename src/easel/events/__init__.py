"""Events: the job event log, the bus that fans events out, and SSE framing."""
