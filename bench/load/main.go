// Command load is `make bench`: it compares Pause with Apollo Server on the same schema,
// content and queries, on this machine, over loopback.
//
// It builds Pause and starts it in production mode on an embedded store in a temporary
// directory (Pause seeds the sample content on first start), adds published tools through the
// API until there are bench.ListSize, and exports every item as an editor, through GraphQL,
// to a JSON file. It starts Apollo Server (bench/apollo/server.mjs) over that file, checks that
// both servers answer every benchmarked query with the same data, and then drives both with
// autocannon at a fixed concurrency, interleaved: in each round every query runs against both
// servers, one after the other, the order alternating between rounds. It prints a Markdown
// table of the medians over the rounds: requests per second, p50 and p99 latency, and the
// Pause/Apollo throughput ratio per query. Pause runs twice: as `pause serve` runs (with its
// public response cache) and with the cache off (PAUSE_PUBLIC_CACHE=off), which executes every
// request. With DynamoDB Local running (PAUSE_TEST_DYNAMODB_ENDPOINT, as make bench starts it),
// a fourth server, Pause-ddb, is `pause serve` on a new DynamoDB Local table reached through
// bench/delayproxy, which delays every round trip (-dynamodb-delay, 4 ms) as a same-region
// DynamoDB call from Lambda is: the production path.
//
// Run from the repository root, after `npm ci` in bench/ and bench/apollo/ (make bench does
// both):
//
//	go run ./bench/load [-rounds 3] [-duration 5s] [-connections 32] [-out FILE]
//
// Everything it starts listens on 127.0.0.1 and is stopped when it ends, also on Ctrl-C.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"pause"
	"pause/bench"
	"pause/bench/delayproxy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	rounds      int
	duration    time.Duration
	warmup      time.Duration
	connections int
	out         string
	keep        bool
	// dynamoDelay is the delay per DynamoDB round trip of Pause-ddb, and dynamoConnections
	// the connections that load it.
	dynamoDelay       time.Duration
	dynamoConnections int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.rounds, "rounds", 3, "rounds: every query against both servers in each")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of one measurement")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unrecorded load per query and server before the rounds")
	fs.IntVar(&o.connections, "connections", 32, "concurrent connections")
	fs.StringVar(&o.out, "out", "", "also write the report (Markdown) to this file")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (logs, data.json)")
	fs.DurationVar(&o.dynamoDelay, "dynamodb-delay", 4*time.Millisecond, "delay per DynamoDB round trip of "+dynamoName+" (DynamoDB Local behind bench/delayproxy)")
	fs.IntVar(&o.dynamoConnections, "dynamodb-connections", 4, "concurrent connections to "+dynamoName+" (a Lambda instance serves one request at a time; DynamoDB Local, one Java process on the same cores, is the bottleneck beyond a few)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", args...) }

	for _, f := range []string{"schema.graphqls", "bench/apollo/server.mjs", "bench/node_modules/.bin/autocannon", "bench/apollo/node_modules/@apollo/server"} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%s: run from the repository root, after npm ci in bench/ and bench/apollo/ (make bench does it)", f)
		}
	}
	dir, err := os.MkdirTemp("", "pause-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("keeping %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	logf("building Pause")
	pauseBin := filepath.Join(dir, "pause")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", pauseBin, "./cmd/pause").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}

	// Pause, in production mode, on a fresh embedded store, as `pause serve` runs: with its
	// public response cache. And a second Pause with the cache off, so that the table shows
	// what executing the queries costs too.
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	var stops []func()
	startPause := func(name string, env ...string) (server, *client, error) {
		sub := filepath.Join(dir, name)
		if err := os.MkdirAll(sub, 0o700); err != nil {
			return server{}, nil, err
		}
		addr, err := freePort()
		if err != nil {
			return server{}, nil, err
		}
		env = append(os.Environ(), append([]string{
			"PAUSE_ENV=production",
			"PAUSE_JWT_SECRET=" + hex.EncodeToString(secret),
			"PAUSE_STORE=bolt",
			"PAUSE_DATA=" + filepath.Join(sub, "pause.db"),
			"PAUSE_ADDR=" + addr,
		}, env...)...)
		url := "http://" + addr + "/graphql"
		logFile := filepath.Join(sub, "pause.log")
		if slices.Contains(env, "PAUSE_STORE=dynamodb") {
			// A new table, filled as `make run-dynamodb` does, through the proxy.
			for _, args := range [][]string{{"table", "create"}, {"import", "content"}} {
				cmd := exec.CommandContext(ctx, pauseBin, args...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					return server{}, nil, fmt.Errorf("pause %s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
		}
		pid, stop, err := start(ctx, logFile, env, pauseBin, "serve")
		if err != nil {
			return server{}, nil, err
		}
		stops = append(stops, stop)
		if err := waitFor(ctx, "http://"+addr+"/healthz", nil); err != nil {
			return server{}, nil, fmt.Errorf("%s did not start (see %s): %w", name, logFile, err)
		}
		tokenCmd := exec.CommandContext(ctx, pauseBin, "token", "--role", "editor", "--sub", "bench", "--ttl", "1h")
		tokenCmd.Env = env
		tok, err := tokenCmd.Output()
		if err != nil {
			return server{}, nil, fmt.Errorf("pause token: %w", err)
		}
		editor := &client{url: url, token: strings.TrimSpace(string(tok))}
		added, err := addTools(ctx, editor, &client{url: url})
		if err != nil {
			return server{}, nil, err
		}
		logf("%s is up on %s with the sample content and %d more tools", name, addr, added)
		return server{name, url, pid}, editor, nil
	}
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	pauseServer, editor, err := startPause("Pause")
	if err != nil {
		return err
	}
	uncached, _, err := startPause(uncachedName, "PAUSE_PUBLIC_CACHE=off")
	if err != nil {
		return err
	}
	pauseURL := pauseServer.url
	servers := []server{pauseServer, uncached}
	// Pause on DynamoDB Local (make bench runs under tools/dynamodb-local/with-dynamodb.sh),
	// every round trip delayed as a same-region call from Lambda is: the production path.
	if endpoint := os.Getenv("PAUSE_TEST_DYNAMODB_ENDPOINT"); endpoint != "" {
		proxy, err := delayproxy.Start(endpoint, o.dynamoDelay)
		if err != nil {
			return err
		}
		defer proxy.Close()
		table := make([]byte, 6)
		_, _ = rand.Read(table)
		// With its public cache (a warm request reads the generation: one GetItem) and without
		// (every request executes, with its DynamoDB requests), each on a table of its own.
		for _, d := range []struct{ name, cache string }{{dynamoName, "on"}, {dynamoUncachedName, "off"}} {
			ddb, _, err := startPause(d.name, "PAUSE_STORE=dynamodb", "PAUSE_TABLE=pause-bench-"+hex.EncodeToString(table)+"-"+d.cache,
				"AWS_ENDPOINT_URL_DYNAMODB="+proxy.URL(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
				"PAUSE_PUBLIC_CACHE="+d.cache)
			if err != nil {
				return err
			}
			servers = append(servers, ddb)
		}
	} else {
		logf("PAUSE_TEST_DYNAMODB_ENDPOINT is not set: no %s (make bench starts DynamoDB Local)", dynamoName)
	}

	data, err := export(ctx, editor)
	if err != nil {
		return err
	}
	dataFile := filepath.Join(dir, "data.json")
	if err := os.WriteFile(dataFile, data, 0o600); err != nil {
		return err
	}

	// Apollo Server, over the same content.
	apolloPort, err := freePort()
	if err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(apolloPort)
	// The schema Pause serves: schema.graphqls and the files beside it (the content types'
	// generated part among them), as `pause schema` prints it.
	schemaFile := filepath.Join(dir, "schema.graphqls")
	if err := os.WriteFile(schemaFile, []byte(pause.Schema), 0o600); err != nil {
		return err
	}
	apolloPid, stopApollo, err := start(ctx, filepath.Join(dir, "apollo.log"), append(os.Environ(), "NODE_ENV=production"),
		"node", "bench/apollo/server.mjs", schemaFile, dataFile, port)
	if err != nil {
		return err
	}
	defer stopApollo()
	apolloURL := "http://" + apolloPort + "/"
	if err := waitFor(ctx, apolloURL, []byte(`{"query":"{ __typename }"}`)); err != nil {
		return fmt.Errorf("apollo did not start (see %s): %w", filepath.Join(dir, "apollo.log"), err)
	}
	logf("Apollo Server is up on %s", apolloPort)

	servers = append(servers, server{"Apollo", apolloURL, apolloPid})
	for _, q := range bench.Queries {
		a, err := (&client{url: pauseURL}).do(ctx, q.Text, nil)
		if err != nil {
			return fmt.Errorf("pause, %s: %w", q.Name, err)
		}
		// The others answer too (Pause-ddb's ids and times are its own: not compared).
		for _, s := range servers[1 : len(servers)-1] {
			if _, err := (&client{url: s.url}).do(ctx, q.Text, nil); err != nil {
				return fmt.Errorf("%s, %s: %w", s.name, q.Name, err)
			}
		}
		b, err := (&client{url: apolloURL}).do(ctx, q.Text, nil)
		if err != nil {
			return fmt.Errorf("apollo, %s: %w", q.Name, err)
		}
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			return fmt.Errorf("the servers answer %s differently:\npause:  %s\napollo: %s", q.Name, ja, jb)
		}
	}
	logf("both servers answer the %d queries with the same data", len(bench.Queries))

	env0 := describe(ctx)
	if o.warmup > 0 {
		logf("warming up (%s per query and server)", o.warmup)
		for _, q := range bench.Queries {
			for _, s := range servers {
				connections := o.connections
				if s.name == dynamoName || s.name == dynamoUncachedName {
					connections = o.dynamoConnections
				}
				if _, err := load(ctx, s, q, connections, o.warmup); err != nil {
					return err
				}
			}
		}
	}
	results := map[string]map[string][]result{} // query → server → rounds
	for r := 0; r < o.rounds; r++ {
		for _, q := range bench.Queries {
			order := slices.Clone(servers)
			if r%2 == 1 {
				slices.Reverse(order)
			}
			for _, s := range order {
				connections := o.connections
				if s.name == dynamoName || s.name == dynamoUncachedName {
					connections = o.dynamoConnections
				}
				res, err := load(ctx, s, q, connections, o.duration)
				if err != nil {
					return err
				}
				logf("round %d/%d  %-8s %-8s %8.0f req/s  p50 %3.0f ms  p99 %3.0f ms  %4.0f µs CPU/req", r+1, o.rounds, q.Name, s.name, res.RPS, res.P50, res.P99, res.CPU)
				if results[q.Name] == nil {
					results[q.Name] = map[string][]result{}
				}
				results[q.Name][s.name] = append(results[q.Name][s.name], res)
			}
		}
	}
	report := env0 + fmt.Sprintf("\n%d rounds × %s per query and server, %d connections (%s: %d, %s per DynamoDB round trip), interleaved; medians over the rounds.\n\n",
		o.rounds, o.duration, o.connections, dynamoName, o.dynamoConnections, o.dynamoDelay) +
		table(results)
	fmt.Fprint(stdout, report)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(report), 0o644)
	}
	return nil
}

// uncachedName is the second Pause's name: the public response cache off (PAUSE_PUBLIC_CACHE).
// dynamoName and dynamoUncachedName are Pause on DynamoDB Local behind the delay proxy, with and
// without it.
const (
	uncachedName       = "Pause-nc"
	dynamoName         = "Pause-ddb"
	dynamoUncachedName = "Pause-ddb-nc"
)

type server struct {
	name, url string
	pid       int
}

// freePort returns a loopback address with a port that was free a moment ago.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start starts a process with its output in logFile, and returns its pid and a function that
// stops it (SIGTERM, then SIGKILL after 5 s) and waits for it.
func start(ctx context.Context, logFile string, env []string, name string, args ...string) (int, func(), error) {
	log, err := os.Create(logFile)
	if err != nil {
		return 0, nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive bench
	if err := cmd.Start(); err != nil {
		log.Close()
		return 0, nil, fmt.Errorf("start %s: %w", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(done) }()
	go func() {
		select {
		case <-ctx.Done():
			_ = cmd.Process.Signal(syscall.SIGTERM)
		case <-done:
		}
	}()
	return cmd.Process.Pid, func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}, nil
}

// waitFor polls url (GET, or POST of body) until it answers 200, for up to 30 s.
func waitFor(ctx context.Context, url string, body []byte) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var resp *http.Response
		var err error
		if body == nil {
			resp, err = http.Get(url)
		} else {
			resp, err = http.Post(url, "application/json", bytes.NewReader(body))
		}
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// client sends GraphQL requests, as an editor when it has a token.
type client struct {
	url, token string
}

// do sends the query and returns its data, or an error if the answer has errors.
func (c *client) do(ctx context.Context, query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []any
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 || out.Data == nil {
		return nil, fmt.Errorf("%s: %s", resp.Status, raw)
	}
	return out.Data, nil
}

// addTools creates and publishes bench.ExtraTools until Pause has bench.ListSize published
// tools, and returns how many it added.
func addTools(ctx context.Context, editor, anonymous *client) (int, error) {
	d, err := anonymous.do(ctx, `{ tools(first: 0) { totalCount } }`, nil)
	if err != nil {
		return 0, err
	}
	n := int(d["tools"].(map[string]any)["totalCount"].(float64))
	extra := bench.ExtraTools(max(bench.ListSize-n, 0))
	for _, in := range extra {
		input := map[string]any{
			"name": in.Name, "tagline": in.Tagline, "description": in.Description, "websiteUrl": in.WebsiteURL,
			"logoUrl": in.LogoURL, "category": in.Category, "pricing": in.Pricing, "platforms": in.Platforms,
			"tags": in.Tags, "featured": in.Featured,
		}
		d, err := editor.do(ctx, `mutation($in: CreateToolInput!) { createTool(input: $in) { id version } }`, map[string]any{"in": input})
		if err != nil {
			return 0, fmt.Errorf("create tool: %w", err)
		}
		t := d["createTool"].(map[string]any)
		if _, err := editor.do(ctx, `mutation($id: ID!, $v: Int!) { publishTool(id: $id, version: $v) { id } }`,
			map[string]any{"id": t["id"], "v": t["version"]}); err != nil {
			return 0, fmt.Errorf("publish tool: %w", err)
		}
	}
	return len(extra), nil
}

const (
	meta         = `id slug status publishedAt createdAt updatedAt version`
	articleShape = meta + ` title excerpt body bodyHtml author { name avatarUrl } tags coverImage { url alt } readingTimeMinutes relatedTools { id }`
	benefitShape = meta + ` title summary summaryHtml points icon position`
	toolShape    = meta + ` name tagline description descriptionHtml websiteUrl logoUrl category pricing platforms tags featured`
)

// export reads every item of every status from Pause, as an editor, with every field (the
// rendered HTML included), and returns them as the JSON that bench/apollo/server.mjs loads.
func export(ctx context.Context, editor *client) ([]byte, error) {
	all := map[string][]map[string]any{}
	for _, list := range []struct{ field, shape string }{{"articles", articleShape}, {"benefits", benefitShape}, {"tools", toolShape}} {
		var after any
		for {
			d, err := editor.do(ctx, fmt.Sprintf(`query($after: String) { %s(first: 100, after: $after) { nodes { %s } pageInfo { hasNextPage endCursor } } }`, list.field, list.shape),
				map[string]any{"after": after})
			if err != nil {
				return nil, fmt.Errorf("export %s: %w", list.field, err)
			}
			conn := d[list.field].(map[string]any)
			for _, n := range conn["nodes"].([]any) {
				all[list.field] = append(all[list.field], n.(map[string]any))
			}
			info := conn["pageInfo"].(map[string]any)
			if info["hasNextPage"] != true {
				break
			}
			after = info["endCursor"]
		}
	}
	// A list may hold summaries (an article's body left out): read each article whole.
	for i, a := range all["articles"] {
		d, err := editor.do(ctx, `query($id: ID) { article(id: $id) { `+articleShape+` } }`, map[string]any{"id": a["id"]})
		if err != nil {
			return nil, fmt.Errorf("export article %v: %w", a["id"], err)
		}
		a = d["article"].(map[string]any)
		var ids []any
		for _, t := range a["relatedTools"].([]any) {
			ids = append(ids, t.(map[string]any)["id"])
		}
		delete(a, "relatedTools")
		a["relatedToolIds"] = ids
		all["articles"][i] = a
	}
	return json.MarshalIndent(all, "", " ")
}

// result is one measurement.
type result struct {
	RPS      float64 // mean requests per second
	P50, P99 float64 // latency, ms
	CPU      float64 // CPU time the server used per request, µs (user and system)
}

// cpuTime returns the CPU time (user and system) that the process has used so far, or 0.
func cpuTime(pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command (in parentheses, which may hold spaces): state is the
	// first, utime and stime the 12th and 13th, in clock ticks (100 a second on Linux).
	_, rest, _ := strings.Cut(string(stat), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	var user, sys int64
	fmt.Sscan(f[11], &user)
	fmt.Sscan(f[12], &sys)
	return time.Duration(user+sys) * 10 * time.Millisecond
}

// load runs autocannon against the server with the query for d, and fails if any request
// failed.
func load(ctx context.Context, s server, q bench.Query, connections int, d time.Duration) (result, error) {
	url := s.url
	body, _ := json.Marshal(map[string]string{"query": q.Text})
	cmd := exec.CommandContext(ctx, "bench/node_modules/.bin/autocannon", "--json", "--connections", fmt.Sprint(connections),
		"--duration", fmt.Sprint(d.Seconds()), "--method", "POST", "--headers", "content-type=application/json",
		"--body", string(body), url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cpu0 := cpuTime(s.pid)
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("autocannon: %w\n%s", err, stderr.String())
	}
	cpu := cpuTime(s.pid) - cpu0
	var r struct {
		Requests struct{ Average float64 }
		Latency  struct{ P50, P99 float64 }
		Errors   int
		Timeouts int
		Non2xx   int
		OK       int `json:"2xx"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return result{}, fmt.Errorf("autocannon output: %w: %s", err, out)
	}
	if r.Errors > 0 || r.Timeouts > 0 || r.Non2xx > 0 || r.OK == 0 {
		return result{}, fmt.Errorf("%s on %s: %d ok, %d errors, %d timeouts, %d non-2xx", q.Name, url, r.OK, r.Errors, r.Timeouts, r.Non2xx)
	}
	return result{RPS: r.Requests.Average, P50: r.Latency.P50, P99: r.Latency.P99,
		CPU: float64(cpu.Microseconds()) / float64(r.OK)}, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func pick(rs []result, f func(result) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

// table is the report: one row per query, medians over the rounds, and the ratio of Pause's
// median throughput to Apollo's (with the per-round ratios).
func table(results map[string]map[string][]result) string {
	var b strings.Builder
	b.WriteString("| query | server | req/s | p50 ms | p99 ms | CPU µs/req | req/s ÷ Apollo's | per round |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n")
	med := func(rs []result, f func(result) float64) float64 { return median(pick(rs, f)) }
	rps := func(r result) float64 { return r.RPS }
	p50 := func(r result) float64 { return r.P50 }
	p99 := func(r result) float64 { return r.P99 }
	cpu := func(r result) float64 { return r.CPU }
	for _, q := range bench.Queries {
		a := results[q.Name]["Apollo"]
		for _, name := range []string{"Pause", uncachedName, dynamoName, dynamoUncachedName, "Apollo"} {
			p, ok := results[q.Name][name]
			if !ok {
				continue
			}
			ratio, rounds := "", ""
			if name != "Apollo" {
				var rs []string
				for i := range min(len(p), len(a)) {
					rs = append(rs, fmt.Sprintf("%.1f×", p[i].RPS/a[i].RPS))
				}
				ratio, rounds = fmt.Sprintf("**%.1f×**", med(p, rps)/med(a, rps)), strings.Join(rs, " ")
			}
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %s | %s |\n", q.Name, name,
				med(p, rps), med(p, p50), med(p, p99), med(p, cpu), ratio, rounds)
		}
	}
	b.WriteString("\nPause: as `pause serve` runs on the embedded store, with its public response cache (answers to\n" +
		"anonymous queries kept until the content changes). " + uncachedName + ": the same with PAUSE_PUBLIC_CACHE=off,\n" +
		"every request executed. " + dynamoName + ", " + dynamoUncachedName + ": the same two on DynamoDB Local, each round trip\n" +
		"delayed by bench/delayproxy as a same-region call from Lambda is (-dynamodb-delay); with the cache, a warm\n" +
		"request reads the generation only. Their CPU column is Pause's only.\n")
	return b.String()
}

// describe says what machine and tools the numbers come from.
func describe(ctx context.Context) string {
	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(info), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	node, _ := exec.CommandContext(ctx, "node", "--version").Output()
	load, _ := os.ReadFile("/proc/loadavg")
	return fmt.Sprintf("Machine: %d CPUs (%s), %s/%s; Go %s, Node %s; load average before the run: %s\n",
		runtime.NumCPU(), cpu, runtime.GOOS, runtime.GOARCH, strings.TrimPrefix(runtime.Version(), "go"),
		strings.TrimSpace(strings.TrimPrefix(string(node), "v")), strings.Join(strings.Fields(string(load))[:3], " "))
}
