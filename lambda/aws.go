package main

import (
	"cmp"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// awsConfig returns the function's AWS configuration from the variables Lambda sets in every
// execution environment: the region (AWS_REGION) and the execution role's credentials
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), valid for the environment's
// life. AWS_ENDPOINT_URL_DYNAMODB, or AWS_ENDPOINT_URL, points the store elsewhere (the tests'
// DynamoDB Local).
//
// It does not call the SDK's config.LoadDefaultConfig, which cmd/pause uses: its credential
// chain (shared files, SSO, STS, the instance metadata service) has nothing to find in a
// function, and linking it costs every cold start the initialization of those clients' packages
// (about 4 ms) and 1.5 MB of bootstrap (docs/PERFORMANCE.md). The other variables that chain
// reads (AWS_PROFILE, AWS_MAX_ATTEMPTS, AWS_USE_FIPS_ENDPOINT...) are not read here.
func awsConfig(getenv func(string) string) (aws.Config, error) {
	env := func(key string) string { return strings.TrimSpace(getenv(key)) }
	region := cmp.Or(env("AWS_REGION"), env("AWS_DEFAULT_REGION"))
	if region == "" {
		return aws.Config{}, errors.New("AWS_REGION is not set: Lambda sets it in every function's environment")
	}
	id, secret := env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return aws.Config{}, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: " +
			"Lambda sets them to the execution role's credentials")
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, env("AWS_SESSION_TOKEN")),
	}
	if ep := cmp.Or(env("AWS_ENDPOINT_URL_DYNAMODB"), env("AWS_ENDPOINT_URL")); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cfg, nil
}
