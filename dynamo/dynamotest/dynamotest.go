// Package dynamotest gives tests outside dynamo/ a fresh table on Amazon's DynamoDB Local,
// which tools/dynamodb-local/with-dynamodb.sh starts (make test does) and names in
// PAUSE_TEST_DYNAMODB_ENDPOINT. Without it a test skips, except in CI (CI=true), where it
// fails: there these tests must run.
package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"pause/dynamo"
)

// EndpointVar names DynamoDB Local's endpoint.
const EndpointVar = "PAUSE_TEST_DYNAMODB_ENDPOINT"

// Endpoint returns DynamoDB Local's endpoint, or "" if there is none; in CI, none fails the test.
func Endpoint(t testing.TB) string {
	t.Helper()
	endpoint := os.Getenv(EndpointVar)
	if endpoint == "" && os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set in CI: run the tests with tools/dynamodb-local/with-dynamodb.sh (make test does)", EndpointVar)
	}
	return endpoint
}

// Client returns a client of DynamoDB Local (or of a proxy in front of it) at the endpoint.
func Client(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		Credentials:                     credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint:                    aws.String(endpoint),
		DisableValidateResponseChecksum: true, // DynamoDB Local sends no checksum
	})
}

// Table creates a table of Pause's design on DynamoDB Local, named prefix and a random suffix,
// deleted when the test ends, and returns a client of DynamoDB Local and the table's name.
// Without DynamoDB Local it skips the test (and fails it in CI).
func Table(t testing.TB, prefix string) (*dynamodb.Client, string) {
	t.Helper()
	endpoint := Endpoint(t)
	if endpoint == "" {
		t.Skipf("%s is not set: run the tests with tools/dynamodb-local/with-dynamodb.sh", EndpointVar)
	}
	client := Client(endpoint)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dynamo.CreateTable(ctx, client, name); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &name}); err != nil {
			t.Logf("delete table %s: %v", name, err)
		}
	})
	return client, name
}
