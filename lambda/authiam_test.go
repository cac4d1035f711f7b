//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// The sign-in function's role (infra/template.yaml's AuthFunctionRole) reaches only the account
// items of the table. DynamoDB Local checks no IAM, so the end-to-end test puts a recorder
// between the function and DynamoDB Local: every request's action and the partition key of
// every item it touches, which the role's statements must then allow, one by one.

// dynamoCall is one item action the function asked DynamoDB for.
type dynamoCall struct {
	action string // the IAM action: dynamodb:GetItem, dynamodb:PutItem (also a transaction's Put)...
	pk     string // the item's partition key; "" when the call names none (a Query, a Scan)
	index  string // the index it reads, if any
}

// dynamoRecorder forwards DynamoDB's API to DynamoDB Local and records the calls.
type dynamoRecorder struct {
	*httptest.Server
	mu    sync.Mutex
	calls []dynamoCall
}

func newDynamoRecorder(t testing.TB, endpoint string) *dynamoRecorder {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	r := &dynamoRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		_, op, _ := strings.Cut(req.Header.Get("X-Amz-Target"), ".")
		r.record(op, body)
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

type attrs map[string]struct {
	S string `json:"S"`
}

// record notes the items of one request of the operation.
func (r *dynamoRecorder) record(op string, body []byte) {
	var in struct {
		Key, Item     attrs
		IndexName     string
		TransactItems []struct {
			Put            *struct{ Item attrs }
			Update         *struct{ Key attrs }
			Delete         *struct{ Key attrs }
			ConditionCheck *struct{ Key attrs }
		}
	}
	_ = json.Unmarshal(body, &in)
	var calls []dynamoCall
	switch op {
	case "TransactWriteItems":
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				calls = append(calls, dynamoCall{action: "dynamodb:PutItem", pk: it.Put.Item["PK"].S})
			case it.Update != nil:
				calls = append(calls, dynamoCall{action: "dynamodb:UpdateItem", pk: it.Update.Key["PK"].S})
			case it.Delete != nil:
				calls = append(calls, dynamoCall{action: "dynamodb:DeleteItem", pk: it.Delete.Key["PK"].S})
			case it.ConditionCheck != nil:
				calls = append(calls, dynamoCall{action: "dynamodb:ConditionCheckItem", pk: it.ConditionCheck.Key["PK"].S})
			}
		}
	case "PutItem":
		calls = append(calls, dynamoCall{action: "dynamodb:PutItem", pk: in.Item["PK"].S})
	default:
		calls = append(calls, dynamoCall{action: "dynamodb:" + op, pk: in.Key["PK"].S, index: in.IndexName})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, calls...)
}

func (r *dynamoRecorder) recorded() []dynamoCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// itemStatement is a statement of a role that allows item actions on the partitions whose
// keys match its patterns (dynamodb:LeadingKeys).
type itemStatement struct {
	sid      string
	actions  []string
	patterns []string
}

// allows reports whether the statement allows the call.
func (s itemStatement) allows(c dynamoCall) bool {
	if !slices.Contains(s.actions, c.action) || c.pk == "" || c.index != "" {
		return false
	}
	for _, p := range s.patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(c.pk, prefix) || p == c.pk {
			return true
		}
	}
	return false
}

// roleItemStatements returns the DynamoDB statements of the role in infra/template.yaml: each
// must hold a dynamodb:LeadingKeys condition (an item statement without one would reach every
// item, which fails the test).
func roleItemStatements(t *testing.T, role string) []itemStatement {
	t.Helper()
	raw, err := os.ReadFile("../infra/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	js, err := intrinsics.ProcessYAML(raw, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Properties struct {
				Policies []struct {
					PolicyDocument struct{ Statement []json.RawMessage }
				}
			}
		}
	}
	if err := json.Unmarshal(js, &tmpl); err != nil {
		t.Fatal(err)
	}
	var out []itemStatement
	for _, p := range tmpl.Resources[role].Properties.Policies {
		for _, raw := range p.PolicyDocument.Statement {
			var s struct {
				Sid       string
				Action    any
				Condition map[string]map[string][]string
			}
			if json.Unmarshal(raw, &s) != nil || s.Action == nil {
				continue // a statement under a condition (Fn::If): not DynamoDB's
			}
			var actions []string
			switch a := s.Action.(type) {
			case string:
				actions = []string{a}
			case []any:
				for _, x := range a {
					actions = append(actions, x.(string))
				}
			}
			if !strings.HasPrefix(actions[0], "dynamodb:") {
				continue
			}
			st := itemStatement{sid: s.Sid, actions: actions}
			for op, keys := range s.Condition {
				if op == "ForAllValues:StringLike" || op == "ForAllValues:StringEquals" {
					st.patterns = append(st.patterns, keys["dynamodb:LeadingKeys"]...)
				}
			}
			if len(st.patterns) == 0 {
				t.Errorf("%s's statement %s allows %v on every item: no dynamodb:LeadingKeys condition", role, s.Sid, actions)
			}
			out = append(out, st)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no DynamoDB statement in infra/template.yaml", role)
	}
	return out
}

// checkRoleAllows fails the test for every call that none of the role's statements allows.
func checkRoleAllows(t *testing.T, role string, calls []dynamoCall) {
	t.Helper()
	stmts := roleItemStatements(t, role)
	seen := map[string]bool{}
	for _, c := range calls {
		prefix, _, _ := strings.Cut(c.pk, "#")
		seen[c.action+" "+prefix] = true
		if !slices.ContainsFunc(stmts, func(s itemStatement) bool { return s.allows(c) }) {
			t.Errorf("%s does not allow %s on the item %q (index %q), which the function did", role, c.action, c.pk, c.index)
		}
	}
	t.Logf("%s allows every call of the function: %v", role, slices.Sorted(func(yield func(string) bool) {
		for k := range seen {
			if !yield(k) {
				return
			}
		}
	}))
}
