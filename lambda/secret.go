package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// secretTimeout bounds the read of the secret at init, retries included: a Lambda init phase
// has 10 s in all.
const secretTimeout = 5 * time.Second

// ssmSecret reads the SecureString parameter with the name from SSM Parameter Store,
// decrypted. The AWS SDK finds the region and credentials in the function's environment (and
// AWS_ENDPOINT_URL_SSM, which tests point at a fake). The function's role needs
// ssm:GetParameter on that parameter only; with the default key (alias/aws/ssm), KMS needs no
// grant of its own.
func ssmSecret(ctx context.Context, name string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, secretTimeout)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return "", fmt.Errorf("load AWS configuration: %w", err)
	}
	return getParameter(ctx, ssm.NewFromConfig(cfg), name)
}

// getParameter returns the decrypted value of the parameter.
func getParameter(ctx context.Context, client *ssm.Client, name string) (string, error) {
	out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read the JWT secret from the SSM parameter %s: %w", name, err)
	}
	if out.Parameter == nil {
		return "", fmt.Errorf("read the JWT secret from the SSM parameter %s: no parameter in the answer", name)
	}
	return aws.ToString(out.Parameter.Value), nil
}
