package infra

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pause/dynamo"
)

// The content events block of the template (issue 16): the worker function built from the
// same zip, the table's stream mapped to it with retries and a failure destination, the
// schedule that invokes it every minute, and least privilege for it.

func TestTemplateEventsTable(t *testing.T) {
	tmpl := parseTemplate(t, map[string]any{"Stage": "demo"})
	table, err := tmpl.GetDynamoDBTableWithName("Table")
	if err != nil {
		t.Fatal(err)
	}
	if table.StreamSpecification == nil || table.StreamSpecification.StreamViewType == "" {
		t.Errorf("the table has no stream: the worker is woken by it")
	}
	if ttl := table.TimeToLiveSpecification; ttl == nil || !ttl.Enabled || deref(ttl.AttributeName) != dynamo.TimeToLiveAttribute {
		t.Errorf("time to live %+v, want enabled on %q (dynamo.TimeToLiveAttribute)", ttl, dynamo.TimeToLiveAttribute)
	}
}

func TestTemplateWorker(t *testing.T) {
	tmpl := parseTemplate(t, map[string]any{"Stage": "demo"})
	fn, err := tmpl.GetServerlessFunctionWithName("Function")
	if err != nil {
		t.Fatal(err)
	}
	w, err := tmpl.GetServerlessFunctionWithName("Worker")
	if err != nil {
		t.Fatal(err)
	}
	// The same code, run as the worker.
	if w.CodeUri == nil || !reflect.DeepEqual(w.CodeUri, fn.CodeUri) || deref(w.Handler) != deref(fn.Handler) ||
		deref(w.Runtime) != deref(fn.Runtime) || !slices.Equal(w.Architectures, fn.Architectures) {
		t.Errorf("the worker is not the function's build: %+v %v %v %v", w.CodeUri, deref(w.Handler), deref(w.Runtime), w.Architectures)
	}
	env := w.Environment.Variables
	for k, v := range map[string]string{"PAUSE_LAMBDA_EVENT": "worker", "PAUSE_STORE": "dynamodb", "PAUSE_TABLE": "ref:Table",
		"PAUSE_ENV": "production", "PAUSE_JWT_SECRET_PARAM": "/pause/test/jwt-secret"} {
		if env[k] != v {
			t.Errorf("worker %s = %q, want %q", k, env[k], v)
		}
	}
	if w.ReservedConcurrentExecutions == nil || *w.ReservedConcurrentExecutions != 1 {
		t.Errorf("the worker's reserved concurrency is %v, want 1: dispatchers must not run side by side", w.ReservedConcurrentExecutions)
	}
	if deref(w.Role) != "getatt:WorkerRole.Arn" {
		t.Errorf("worker role %q", deref(w.Role))
	}

	m, err := tmpl.GetLambdaEventSourceMappingWithName("WorkerStream")
	if err != nil {
		t.Fatal(err)
	}
	if deref(m.EventSourceArn) != "getatt:Table.StreamArn" || m.FunctionName != "ref:Worker" {
		t.Errorf("stream mapping from %q to %q", deref(m.EventSourceArn), m.FunctionName)
	}
	if m.MaximumRetryAttempts == nil || *m.MaximumRetryAttempts < 1 || m.DestinationConfig == nil ||
		m.DestinationConfig.OnFailure == nil || deref(m.DestinationConfig.OnFailure.Destination) != "getatt:WorkerFailures.Arn" {
		t.Errorf("the stream mapping needs a retry policy and an on-failure destination: %+v", m)
	}
	if _, err := tmpl.GetSQSQueueWithName("WorkerFailures"); err != nil {
		t.Error(err)
	}
	if m.FilterCriteria == nil || len(m.FilterCriteria.Filters) != 1 {
		t.Fatalf("stream filter %+v", m.FilterCriteria)
	}
	var pattern struct {
		EventName []string `json:"eventName"`
		Dynamodb  struct {
			Keys struct {
				PK struct{ S []string }
			}
		} `json:"dynamodb"`
	}
	if err := json.Unmarshal([]byte(deref(m.FilterCriteria.Filters[0].Pattern)), &pattern); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pattern.Dynamodb.Keys.PK.S, []string{dynamo.FeedPartition()}) || !slices.Equal(pattern.EventName, []string{"INSERT"}) {
		t.Errorf("the stream filter %+v should pass the feed's new items (%s) only", pattern, dynamo.FeedPartition())
	}

	rule, err := tmpl.GetEventsRuleWithName("WorkerSchedule")
	if err != nil {
		t.Fatal(err)
	}
	if deref(rule.ScheduleExpression) != "rate(1 minute)" || len(rule.Targets) != 1 || rule.Targets[0].Arn != "getatt:Worker.Arn" {
		t.Errorf("schedule %q targets %+v: scheduled changes must become events within a minute", deref(rule.ScheduleExpression), rule.Targets)
	}
	perm, err := tmpl.GetLambdaPermissionWithName("WorkerSchedulePermission")
	if err != nil {
		t.Fatal(err)
	}
	if perm.FunctionName != "ref:Worker" || perm.Principal != "events.amazonaws.com" || deref(perm.SourceArn) != "getatt:WorkerSchedule.Arn" {
		t.Errorf("schedule permission %+v", perm)
	}
}

func TestTemplateWorkerIAM(t *testing.T) {
	wantDynamo := storeActions(t)
	tmpl := parseTemplate(t, map[string]any{"Stage": "demo"})
	role, err := tmpl.GetIAMRoleWithName("WorkerRole")
	if err != nil {
		t.Fatal(err)
	}
	stmts := statements(t, role)
	var store, stream []string
	other := map[string]string{}
	for _, s := range stmts {
		for _, a := range list(s.Action) {
			if strings.Contains(a, "*") {
				t.Errorf("wildcard action %s", a)
			}
			switch {
			case slices.Contains([]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}, a):
				stream = append(stream, a)
				if r := list(s.Resource); !slices.Equal(r, []string{"getatt:Table.StreamArn"}) {
					t.Errorf("%s on %v, want the table's stream only", a, r)
				}
			case strings.HasPrefix(a, "dynamodb:"):
				store = append(store, a)
			default:
				other[a] = strings.Join(list(s.Resource), ",")
			}
		}
	}
	slices.Sort(store)
	if !slices.Equal(store, wantDynamo) {
		t.Errorf("worker DynamoDB actions\n got %v\nwant %v (what dynamo/ calls)", store, wantDynamo)
	}
	if len(stream) != 4 {
		t.Errorf("stream actions %v", stream)
	}
	if other["sqs:SendMessage"] != "getatt:WorkerFailures.Arn" || !strings.Contains(other["logs:PutLogEvents"], "WorkerLogGroup") ||
		// lambda/secret.go reads the secret and the previous one in one GetParameters request.
		!strings.Contains(other["ssm:GetParameters"], "/pause/test/jwt-secret") ||
		!strings.Contains(other["ssm:GetParameters"], "/pause/test/jwt-secret-previous") || len(other) != 4 {
		t.Errorf("other actions %v", other)
	}
}
