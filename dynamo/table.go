package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableDefinition returns the table's definition as data: its key, its attribute definitions
// and its global secondary indexes, billed on demand. CreateTable creates it; the deploy
// template must declare the same keys and indexes (the infra tests compare them).
func TableDefinition(name string) *dynamodb.CreateTableInput {
	s := types.ScalarAttributeTypeS
	in := &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrPK), AttributeType: s},
			{AttributeName: aws.String(attrSK), AttributeType: s},
			{AttributeName: aws.String(attrListPK), AttributeType: s},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrSK), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	}
	for _, idx := range listIndexes {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(idx.sortBy), AttributeType: s})
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(idx.name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(attrListPK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(idx.sortBy), KeyType: types.KeyTypeRange},
			},
			// Content items hold summaries only (article bodies live in their own items,
			// which carry no index keys), so projecting everything keeps lists to one read.
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	return in
}

// CreateTable creates the table with TableDefinition and waits until it is ACTIVE. A table
// that exists already is fine if it has the definition's key and indexes, and an error
// otherwise.
func CreateTable(ctx context.Context, client *dynamodb.Client, name string) error {
	_, err := client.CreateTable(ctx, TableDefinition(name), withMeter)
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fail(err, "create table %s", name)
	}
	// The SDK's default waiter sleeps 20 s between checks; a new table (and DynamoDB Local's
	// at once) is usually ready sooner.
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 500*time.Millisecond, 5*time.Second
	})
	out, err := waiter.WaitForOutput(ctx,
		&dynamodb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute)
	if err != nil {
		return fail(err, "wait for table %s", name)
	}
	if err := checkTable(out.Table, TableDefinition(name)); err != nil {
		return err
	}
	return enableTTL(ctx, client, name)
}

// TimeToLiveAttribute is the table's time-to-live attribute: records that expire (idempotent
// requests' answers, sessions, failure counts) carry it, and DynamoDB deletes them some time
// after it.
const TimeToLiveAttribute = attrTTL

// enableTTL turns on the table's time to live on TimeToLiveAttribute, unless it is on already.
func enableTTL(ctx context.Context, client *dynamodb.Client, name string) error {
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)}, withMeter)
	if err != nil {
		return fail(err, "describe the time to live of table %s", name)
	}
	if d := ttl.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == attrTTL &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attrTTL), Enabled: aws.Bool(true)}}, withMeter)
	return fail(err, "enable the time to live of table %s", name)
}

// checkTable reports how an existing table differs from the definition in its keys and
// indexes.
func checkTable(t *types.TableDescription, want *dynamodb.CreateTableInput) error {
	keys := func(ks []types.KeySchemaElement) string {
		var out []string
		for _, k := range ks {
			out = append(out, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
		}
		return fmt.Sprint(out)
	}
	if got, w := keys(t.KeySchema), keys(want.KeySchema); got != w {
		return fmt.Errorf("dynamo: table %s has the key %s, not %s", aws.ToString(t.TableName), got, w)
	}
	for _, wi := range want.GlobalSecondaryIndexes {
		i := slices.IndexFunc(t.GlobalSecondaryIndexes, func(g types.GlobalSecondaryIndexDescription) bool {
			return aws.ToString(g.IndexName) == aws.ToString(wi.IndexName)
		})
		if i < 0 {
			return fmt.Errorf("dynamo: table %s has no index %s", aws.ToString(t.TableName), aws.ToString(wi.IndexName))
		}
		if got, w := keys(t.GlobalSecondaryIndexes[i].KeySchema), keys(wi.KeySchema); got != w {
			return fmt.Errorf("dynamo: index %s of table %s has the key %s, not %s",
				aws.ToString(wi.IndexName), aws.ToString(t.TableName), got, w)
		}
	}
	return nil
}

// NewClient returns a DynamoDB client for the AWS configuration cfg: its region, credentials
// and endpoint (BaseEndpoint, or the service's own setting among cfg.ConfigSources, such as
// AWS_ENDPOINT_URL_DYNAMODB when cfg comes from config.LoadDefaultConfig). Where cfg comes from
// is the caller's choice: the CLI loads the SDK's default chain, the Lambda function reads only
// its environment. The client's HTTP client gives up on a connection after 2 s and on a request
// after 10 s, so that an unreachable DynamoDB becomes an UNAVAILABLE error in seconds rather
// than minutes; the SDK's standard retryer stays on (DynamoDB's default: 4 attempts, with
// backoff).
func NewClient(cfg aws.Config) *dynamodb.Client {
	cfg = cfg.Copy()
	cfg.HTTPClient = awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 2 * time.Second }).
		WithTimeout(10 * time.Second)
	return dynamodb.NewFromConfig(cfg)
}
