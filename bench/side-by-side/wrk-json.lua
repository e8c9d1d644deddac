-- wrk prints its usual report; this adds one machine-readable line at the end
-- (latencies in microseconds, as wrk records them).
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
		'"err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d, ' ..
		'"lat_mean_us": %.1f, "p50_us": %d, "p99_us": %d, "p999_us": %d, "lat_max_us": %d}\n',
		summary.requests, summary.duration, summary.bytes,
		e.connect, e.read, e.write, e.status, e.timeout,
		latency.mean, latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
