"""What operators watch: one log line per request, Prometheus metrics and OpenTelemetry traces."""
