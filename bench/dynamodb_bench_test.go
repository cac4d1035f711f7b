package bench_test

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkDynamoDBLatency sends each query of the wave test through the whole handler to
// Pause on DynamoDB Local behind the delay proxy, at 4 and 10 ms per round trip (a same-region
// DynamoDB call from Lambda), one request at a time, warm, and reports the median time per
// request (p50-ms), the sequential round trips (waves/op), the requests and the read units
// (billed-RCU/op, by AWS's rules: see dynamo.Usage.BilledReadUnits).
//
//	tools/dynamodb-local/with-dynamodb.sh go test -run '^$' -bench DynamoDBLatency -benchtime 40x ./bench/
func BenchmarkDynamoDBLatency(b *testing.B) {
	for _, delay := range []time.Duration{4 * time.Millisecond, 10 * time.Millisecond} {
		w := newWaveRig(b, delay)
		for _, q := range waveQueries {
			b.Run(fmt.Sprintf("%s/%dms", benchName(q.name), delay.Milliseconds()), func(b *testing.B) {
				w.send(b, q.body(b, w), q.editor) // warm up: the slug cache, the connections
				var times []time.Duration
				var waves, requests int
				var units float64
				for b.Loop() {
					start := time.Now()
					r := w.send(b, q.body(b, w), q.editor)
					times = append(times, time.Since(start))
					waves += r.waves
					requests += len(r.requests)
					units += r.usage.BilledReadUnits
				}
				slices.Sort(times)
				n := float64(len(times))
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(waves)/n, "waves/op")
				b.ReportMetric(float64(requests)/n, "requests/op")
				b.ReportMetric(units/n, "billed-RCU/op")
			})
		}
	}
}

// BenchmarkDynamoDBCPU is BenchmarkDynamoDBLatency without the proxy: Pause reaches DynamoDB
// Local directly, and the benchmark reports Pause's CPU per request (cpu-ns/op: this
// process's, which does not include DynamoDB Local's) and per DynamoDB request
// (cpu-ns/request), with allocations.
//
//	tools/dynamodb-local/with-dynamodb.sh go test -run '^$' -bench DynamoDBCPU -benchmem ./bench/
func BenchmarkDynamoDBCPU(b *testing.B) {
	w := newWaveRig(b, -1)
	for _, q := range waveQueries {
		b.Run(benchName(q.name), func(b *testing.B) {
			w.send(b, q.body(b, w), q.editor)
			b.ReportAllocs()
			requests := 0
			cpu := cpuTime()
			for b.Loop() {
				requests += w.send(b, q.body(b, w), q.editor).usage.Requests
			}
			used := cpuTime() - cpu
			b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(used)/float64(requests), "cpu-ns/request")
		})
	}
}

// benchName is a query's name as a benchmark's: its first two words.
func benchName(name string) string {
	switch name {
	case "seed page":
		return "seed"
	case "20 tools of a category, with their count":
		return "category"
	case "an article by slug with its related tools":
		return "article"
	case "toolCategories":
		return "categories"
	case "an editor's updateTool":
		return "updateTool"
	}
	return name
}
