package dynamo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"pause"
	"pause/ids"
	"pause/markdown"
)

// The tests run against Amazon's DynamoDB Local, started by
// tools/dynamodb-local/with-dynamodb.sh, which sets PAUSE_TEST_DYNAMODB_ENDPOINT. Without it
// they skip, except in CI (CI=true), where they fail: there they must run.

const endpointVar = "PAUSE_TEST_DYNAMODB_ENDPOINT"

// testEndpoint returns the DynamoDB Local endpoint, or skips (fails in CI) the test.
func testEndpoint(t testing.TB) string {
	t.Helper()
	ep := os.Getenv(endpointVar)
	if ep == "" {
		const how = "run the tests with tools/dynamodb-local/with-dynamodb.sh go test ./dynamo/"
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set in CI: %s", endpointVar, how)
		}
		t.Skipf("%s is not set: %s", endpointVar, how)
	}
	return ep
}

// newTestClient returns a client of DynamoDB Local at the endpoint: static credentials,
// us-east-1, and no CRC32 check (DynamoDB Local sends no checksum).
func newTestClient(endpoint string, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		Credentials:                     credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:                    aws.String(endpoint),
		DisableValidateResponseChecksum: true,
	}, optFns...)
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// openTestTable creates a fresh table with a random name on DynamoDB Local, and deletes it
// when the test ends.
func openTestTable(t testing.TB) (*Store, *dynamodb.Client, string) {
	t.Helper()
	client := newTestClient(testEndpoint(t))
	name := randomName("pause-test-")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := CreateTable(ctx, client, name); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &name}); err != nil {
			t.Logf("delete table %s: %v", name, err)
		}
	})
	return New(Config{Client: client, Table: name}), client, name
}

// clock is a test clock that moves one second forward at every reading.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// newCMS returns a CMS over the store, and a context of an admin.
func newCMS(s *Store) (*pause.CMS, context.Context) {
	cms := pause.NewCMS(pause.Config{Stores: s.Stores(), Markdown: markdown.New(), NewID: ids.New, Now: newClock().Now})
	return cms, pause.NewContext(context.Background(), &pause.Viewer{Subject: "test", Role: pause.RoleAdmin})
}

// anonymous is the context of a visitor.
func anonymous() context.Context { return context.Background() }

func ptr[V any](v V) *V { return &v }

// wantCode fails the test unless err has the code (and the field, if field is not "").
func wantCode(t testing.TB, err error, code, field string) {
	t.Helper()
	if got := pause.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	if field != "" && pause.ErrorField(err) != field {
		t.Fatalf("error %v: field %q, want %q", err, pause.ErrorField(err), field)
	}
}

func must[V any](t testing.TB) func(V, error) V {
	return func(v V, err error) V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
