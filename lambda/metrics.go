package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// GraphQL operation metrics in CloudWatch's embedded metric format (EMF): a log line with an
// "_aws" object that CloudWatch Logs turns into metrics, with no metrics SDK in the bootstrap and
// no call to CloudWatch at run time. For each request to /graphql, one line:
//
//	Pause Operations, OperationErrors (Count) and Duration (Milliseconds)
//	  by Function and OperationType (query, mutation, subscription, unknown)
//
// and, for each error code in the answer, one line:
//
//	Pause Errors (Count) by Function and ErrorCode (BAD_USER_INPUT, UNAUTHENTICATED, ...)
//
// For each request to /auth/ (the sign-in function), one line:
//
//	Pause SignInRequests, SignInRefused (Count: 401, 403), SignInThrottled (Count: 429),
//	  SignInErrors (Count: 5xx) and Duration (Milliseconds) by Function and Route (login,
//	  token, passkey/login/finish...; other for a path the handler does not serve)
//
// so that a wave of refused or throttled sign-ins (guessing, stuffing) shows on the dashboard.
//
// The operation's name is a property of the line (for CloudWatch Logs Insights), never a
// dimension: clients choose names, and each new dimension value would be a new metric, billed.
// Lambda treats the lines, which have no level, as INFO: at the log levels warn and error it
// drops them (the template's alarms use AWS's own metrics only).

// metricsNamespace is the CloudWatch namespace of Pause's metrics.
const metricsNamespace = "Pause"

// maxScannedAnswer is how much of an answer is kept to find its errors: gqlgen writes "errors"
// before "data", so they are at the start; a longer answer's errors past this are not counted.
const maxScannedAnswer = 64 << 10

// isErrorCode reports whether an error code may be a dimension value (others are OTHER): an
// upper-case letter, then up to 39 upper-case letters, digits and underscores. (No regexp: a
// package-level one would be compiled in every cold start.)
func isErrorCode(s string) bool {
	if len(s) == 0 || len(s) > 40 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// operationMetrics writes the EMF lines of each GraphQL request that next serves.
type operationMetrics struct {
	mu       sync.Mutex // one line at a time
	w        io.Writer
	function string // AWS_LAMBDA_FUNCTION_NAME
	now      func() time.Time
}

// wrap returns next, measured: GraphQL requests and sign-in requests.
func (m *operationMetrics) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/auth/") {
			start := m.now()
			rec := &answerRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			m.writeSignIn(r, cmp.Or(rec.status, http.StatusOK), m.now().Sub(start))
			return
		}
		if r.URL.Path != "/graphql" || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
			next.ServeHTTP(w, r)
			return
		}
		start := m.now()
		op := requestOperation(r)
		rec := &answerRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		m.write(r, op, rec, m.now().Sub(start))
	})
}

// write writes the request's lines.
func (m *operationMetrics) write(r *http.Request, op operation, rec *answerRecorder, took time.Duration) {
	codes := answerErrors(rec.head.Bytes())
	if len(codes) == 0 && rec.status >= 500 {
		codes = []string{"HTTP_5XX"}
	}
	count := map[string]int{}
	var order []string
	for _, c := range codes {
		if !isErrorCode(c) {
			c = "OTHER"
		}
		if count[c] == 0 {
			order = append(order, c)
		}
		count[c]++
	}
	line := func(dims []string, metrics []map[string]string, values map[string]any) map[string]any {
		out := m.line(r, dims, metrics, values)
		if op.name != "" {
			out["operationName"] = op.name
		}
		return out
	}
	lines := []map[string]any{line([]string{"Function", "OperationType"},
		[]map[string]string{{"Name": "Operations", "Unit": "Count"}, {"Name": "OperationErrors", "Unit": "Count"}, {"Name": "Duration", "Unit": "Milliseconds"}},
		map[string]any{"OperationType": op.kind, "Operations": 1, "OperationErrors": len(codes),
			"Duration": float64(took.Microseconds()) / 1000, "status": rec.status})}
	for _, c := range order {
		lines = append(lines, line([]string{"Function", "ErrorCode"},
			[]map[string]string{{"Name": "Errors", "Unit": "Count"}},
			map[string]any{"ErrorCode": c, "Errors": count[c], "OperationType": op.kind}))
	}
	m.emit(lines...)
}

// line returns an EMF line of the request: the metrics with their values, by the dimensions
// (whose values are among values too), with the invocation's ids.
func (m *operationMetrics) line(r *http.Request, dims []string, metrics []map[string]string, values map[string]any) map[string]any {
	id := invocationIDs(r.Context())
	out := map[string]any{
		"_aws": map[string]any{
			"Timestamp": m.now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace": metricsNamespace, "Dimensions": [][]string{dims}, "Metrics": metrics,
			}},
		},
		"Function": m.function,
	}
	for k, v := range values {
		out[k] = v
	}
	if id.lambda != "" {
		out["lambda_request_id"] = id.lambda
	}
	if id.apigw != "" {
		out["apigw_request_id"] = id.apigw
	}
	if id.trace != "" {
		out["trace_id"] = id.trace
	}
	return out
}

// emit writes the lines, one JSON object a line, at once.
func (m *operationMetrics) emit(lines ...map[string]any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, l := range lines {
		_ = enc.Encode(l) // maps of strings and numbers: it cannot fail
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.w.Write(buf.Bytes())
}

// signInRoutes are the routes of /auth/ (accounts.Service.Handler), the values of the Route
// dimension; any other path is "other", so that a scan of made-up paths adds no metric.
var signInRoutes = []string{"setup", "login", "token", "logout", "password", "passkey/login/begin", "passkey/login/finish",
	"passkey/register/begin", "passkey/register/finish", "oidc/start", "oidc/callback"}

// writeSignIn writes the line of a request to /auth/ answered with the status.
func (m *operationMetrics) writeSignIn(r *http.Request, status int, took time.Duration) {
	route := strings.TrimPrefix(r.URL.Path, "/auth/")
	if !slices.Contains(signInRoutes, route) {
		route = "other"
	}
	count := func(ok bool) int {
		if ok {
			return 1
		}
		return 0
	}
	m.emit(m.line(r, []string{"Function", "Route"},
		[]map[string]string{{"Name": "SignInRequests", "Unit": "Count"}, {"Name": "SignInRefused", "Unit": "Count"},
			{"Name": "SignInThrottled", "Unit": "Count"}, {"Name": "SignInErrors", "Unit": "Count"}, {"Name": "Duration", "Unit": "Milliseconds"}},
		map[string]any{"Route": route, "SignInRequests": 1,
			"SignInRefused":   count(status == http.StatusUnauthorized || status == http.StatusForbidden),
			"SignInThrottled": count(status == http.StatusTooManyRequests), "SignInErrors": count(status >= 500),
			"Duration": float64(took.Microseconds()) / 1000, "status": status}))
}

// answerRecorder passes the answer on and keeps its status and its first bytes.
type answerRecorder struct {
	http.ResponseWriter
	status int
	head   bytes.Buffer
}

// WriteHeader records the status.
func (a *answerRecorder) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
	a.ResponseWriter.WriteHeader(code)
}

// Write keeps the first maxScannedAnswer bytes.
func (a *answerRecorder) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if room := maxScannedAnswer - a.head.Len(); room > 0 {
		a.head.Write(b[:min(room, len(b))])
	}
	return a.ResponseWriter.Write(b)
}

// answerErrors returns the extensions.code of each error in a GraphQL answer ("" for one
// without), read from its start: the top-level "errors" up to "data".
func answerErrors(body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "errors" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		var errs []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		}
		if dec.Decode(&errs) != nil {
			return nil
		}
		codes := make([]string, len(errs))
		for i, e := range errs {
			codes[i] = e.Extensions.Code
		}
		return codes
	}
	return nil
}

// operation is what a GraphQL request asks for: its kind (the type of its operation) and name.
type operation struct{ kind, name string }

// requestOperation reads the operation of a GraphQL request: from the query string of a GET,
// from the JSON body of a POST (which it puts back for the handler). A batch (a JSON array) is
// "batch"; a request without a document (a persisted query's hash alone) is "unknown", unless it
// is a GET, which can only be a query.
func requestOperation(r *http.Request) operation {
	var query, name string
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		query, name = q.Get("query"), q.Get("operationName")
		if query == "" {
			return operation{kind: "query", name: name}
		}
	case http.MethodPost:
		if r.Body == nil {
			return operation{kind: "unknown"}
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		if err != nil {
			return operation{kind: "unknown"}
		}
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		if len(trimmed) > 0 && trimmed[0] == '[' {
			return operation{kind: "batch"}
		}
		var p struct {
			Query         string `json:"query"`
			OperationName string `json:"operationName"`
		}
		if json.Unmarshal(body, &p) != nil {
			return operation{kind: "unknown"}
		}
		query, name = p.Query, p.OperationName
	}
	return operation{kind: operationKind(query, name), name: name}
}

// operationKind returns the type of the operation named name in the GraphQL document (of its
// first operation when name is empty): query, mutation or subscription; "query" for the
// shorthand { ... }; "unknown" when there is none. It reads only the top level: comments,
// strings and everything within braces are skipped.
func operationKind(doc, name string) string {
	depth := 0
	var words []string // the words since the last top-level definition ended
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case c == '#':
			for i < len(doc) && doc[i] != '\n' {
				i++
			}
		case c == '"':
			if strings.HasPrefix(doc[i:], `"""`) {
				end := strings.Index(doc[i+3:], `"""`)
				if end < 0 {
					return "unknown"
				}
				i += end + 5
				continue
			}
			for i++; i < len(doc) && doc[i] != '"'; i++ {
				if doc[i] == '\\' {
					i++
				}
			}
		case c == '{':
			if depth == 0 {
				kind, opName := "query", ""
				if len(words) > 0 {
					kind = words[0]
				}
				if len(words) > 1 {
					opName = words[1]
				}
				isOp := kind == "query" || kind == "mutation" || kind == "subscription"
				if isOp && (name == "" || name == opName) {
					return kind
				}
			}
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				words = words[:0]
			}
		case c == '(' || c == '@' || c == ':' || c == '$':
			if depth == 0 {
				// Variables and directives of a definition: skip to its selection set.
				for i+1 < len(doc) && doc[i+1] != '{' {
					i++
				}
			}
		case depth == 0 && (c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'):
			j := i
			for j < len(doc) && (doc[j] == '_' || doc[j] >= 'A' && doc[j] <= 'Z' || doc[j] >= 'a' && doc[j] <= 'z' || doc[j] >= '0' && doc[j] <= '9') {
				j++
			}
			words = append(words, doc[i:j])
			i = j - 1
		}
	}
	return "unknown"
}
