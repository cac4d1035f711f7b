package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// logLines returns the JSON lines of the function's log.
func logLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("a log line is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// emf returns the log's EMF lines whose metric directive has the dimension set dims.
func emf(lines []map[string]any, dims string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		aws, ok := l["_aws"].(map[string]any)
		if !ok {
			continue
		}
		d := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
		if d["Namespace"] != metricsNamespace {
			continue
		}
		b, _ := json.Marshal(d["Dimensions"])
		if string(b) == dims {
			out = append(out, l)
		}
	}
	return out
}

// TestLogsAndMetrics serves requests as lambda.Start would, with an invocation's context (its
// Lambda request id and X-Ray header) and API Gateway's request id in the event: each log line
// of a request carries the three ids, each GraphQL request writes its EMF line (type, errors,
// duration) and one per error code, and AWS_LAMBDA_LOG_LEVEL wins over PAUSE_LOG_LEVEL.
func TestLogsAndMetrics(t *testing.T) {
	env := map[string]string{
		"PAUSE_STORE": "bolt", "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"),
		"PAUSE_JWT_SECRET": unitSecret, "PAUSE_LOG_LEVEL": "info", "AWS_LAMBDA_FUNCTION_NAME": "pause-unit",
	}
	var logs bytes.Buffer
	var handler any
	if err := run(context.Background(), mapEnv(env), &logs, noSecret, func(h any) { handler = h }); err != nil {
		t.Fatal(err)
	}
	serve := handler.(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))
	invoke := func(n int, method, rawQuery, body string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-req-" + string(rune('0'+n))})
		//lint:ignore SA1029 aws-lambda-go puts the trace header under this string key
		ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
		res, err := serve(ctx, events.APIGatewayV2HTTPRequest{
			Version: "2.0", RawPath: "/graphql", RawQueryString: rawQuery, Body: body,
			Headers: map[string]string{"content-type": "application/json"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				RequestID: "apigw-req-" + string(rune('0'+n)), DomainName: "api.example.com",
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: "/graphql"},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	logs.Reset()
	if res := invoke(1, "POST", "", `{"query":"query Who { viewer { role } }","operationName":"Who"}`); res.StatusCode != 200 {
		t.Fatalf("query: %d %s", res.StatusCode, res.Body)
	}
	invoke(2, "POST", "", `{"query":"query A { viewer { role } } mutation B { createArticle(input: {title: \"x\", author: {name: \"a\"}}) { id } }","operationName":"B"}`)
	invoke(3, "GET", "query=%7B+nope+%7D", "")

	lines := logLines(t, logs.String())
	var requests []map[string]any
	for _, l := range lines {
		if l["msg"] == "request" {
			requests = append(requests, l)
		}
	}
	if len(requests) != 3 {
		t.Fatalf("%d request lines, want 3:\n%s", len(requests), logs.String())
	}
	for i, l := range requests {
		n := string(rune('1' + i))
		if l["lambda_request_id"] != "lambda-req-"+n || l["apigw_request_id"] != "apigw-req-"+n || l["trace_id"] != "1-5759e988-bd862e3fe1be46a994272793" || l["request_id"] == "" {
			t.Errorf("request line %d does not carry the invocation's ids: %v", i+1, l)
		}
	}

	ops := emf(lines, `[["Function","OperationType"]]`)
	if len(ops) != 3 {
		t.Fatalf("%d operation lines, want 3:\n%s", len(ops), logs.String())
	}
	want := []struct {
		kind, name string
		errors     float64
	}{{"query", "Who", 0}, {"mutation", "B", 1}, {"query", "", 1}}
	for i, w := range want {
		l := ops[i]
		if l["OperationType"] != w.kind || l["Operations"] != 1.0 || l["OperationErrors"] != w.errors || l["Function"] != "pause-unit" ||
			l["lambda_request_id"] != "lambda-req-"+string(rune('1'+i)) {
			t.Errorf("operation line %d: %v, want %s with %v errors", i+1, l, w.kind, w.errors)
		}
		if name, _ := l["operationName"].(string); name != w.name {
			t.Errorf("operation line %d: name %q, want %q", i+1, name, w.name)
		}
		if d, ok := l["Duration"].(float64); !ok || d <= 0 {
			t.Errorf("operation line %d: Duration %v", i+1, l["Duration"])
		}
		metrics := l["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Metrics"]
		if b, _ := json.Marshal(metrics); string(b) != `[{"Name":"Operations","Unit":"Count"},{"Name":"OperationErrors","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"}]` {
			t.Errorf("metrics %s", b)
		}
	}
	codes := emf(lines, `[["Function","ErrorCode"]]`)
	var got []string
	for _, l := range codes {
		got = append(got, l["ErrorCode"].(string)+"/"+l["OperationType"].(string))
		if l["Errors"] != 1.0 {
			t.Errorf("error line %v", l)
		}
	}
	if strings.Join(got, " ") != "UNAUTHENTICATED/mutation GRAPHQL_VALIDATION_FAILED/query" {
		t.Errorf("error lines %q", got)
	}

	// Lambda's level wins: at WARN, no request lines; the metrics are still written.
	env["AWS_LAMBDA_LOG_LEVEL"] = "WARN"
	env["PAUSE_DATA"] = filepath.Join(t.TempDir(), "pause.db")
	logs.Reset()
	if err := run(context.Background(), mapEnv(env), &logs, noSecret, func(h any) { handler = h }); err != nil {
		t.Fatal(err)
	}
	serve = handler.(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))
	invoke(4, "POST", "", `{"query":"{ viewer { role } }"}`)
	lines = logLines(t, logs.String())
	for _, l := range lines {
		if l["msg"] == "request" || l["msg"] == "ready" {
			t.Errorf("AWS_LAMBDA_LOG_LEVEL=WARN, yet an info line: %v", l)
		}
	}
	if len(emf(lines, `[["Function","OperationType"]]`)) != 1 {
		t.Errorf("no metric line at WARN:\n%s", logs.String())
	}
}

func TestLogLevel(t *testing.T) {
	for lambda, want := range map[string]string{"": "info", "TRACE": "debug", "DEBUG": "debug", "INFO": "info", "WARN": "warn", "ERROR": "error", "FATAL": "error", "bogus": "info"} {
		if got := logLevel(mapEnv(map[string]string{"AWS_LAMBDA_LOG_LEVEL": lambda}), "info"); got != want {
			t.Errorf("AWS_LAMBDA_LOG_LEVEL=%q: %q, want %q", lambda, got, want)
		}
	}
}

func TestOperationKind(t *testing.T) {
	for _, c := range []struct{ doc, name, want string }{
		{"{ articles { id } }", "", "query"},
		{"query { a }", "", "query"},
		{"mutation M($x: ID!) @d { a(x: $x) { b } }", "", "mutation"},
		{"# mutation X {\nquery Q { a }", "", "query"},
		{`query A { a(s: "mutation B {") } mutation B { b }`, "B", "mutation"},
		{"fragment F on Article { id } subscription S { changed { ...F } }", "", "subscription"},
		{"query A { a } mutation B { b }", "C", "unknown"},
		{"", "", "unknown"},
		{`query Q($s: String = """ { """) { a }`, "", "query"},
	} {
		if got := operationKind(c.doc, c.name); got != c.want {
			t.Errorf("operationKind(%q, %q) = %q, want %q", c.doc, c.name, got, c.want)
		}
	}
}

func TestAnswerErrors(t *testing.T) {
	for body, want := range map[string]string{
		`{"data":{"a":1}}`: "",
		`{"errors":[{"message":"x","extensions":{"code":"FORBIDDEN"}},{"message":"y"}],"data":null}`:       "FORBIDDEN,",
		`{"data":{"a":"` + strings.Repeat("x", 100) + `"},"errors":[{"extensions":{"code":"NOT_FOUND"}}]}`: "NOT_FOUND",
		`not json`: "",
	} {
		if got := strings.Join(answerErrors([]byte(body)), ","); got != want {
			t.Errorf("answerErrors(%.40q) = %q, want %q", body, got, want)
		}
	}
}
