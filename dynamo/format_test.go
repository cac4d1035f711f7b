package dynamo

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
	"pause/internal/storedformat"
)

// TestStoredFormat holds the table format of content items still: each item is written by the
// store to DynamoDB Local, and what the table then holds (the item, its body items, its slug
// marker, its counters) is compared with a golden file written by an earlier version
// (testdata/golden; -update-goldens writes them); the golden item and body items, put in a
// fresh table, read back as the item. Production tables hold items in that format.
func TestStoredFormat(t *testing.T) {
	testEndpoint(t)
	t.Run("rich article", func(t *testing.T) {
		storedFormat(t, articles, storedformat.Article, "article-rich.json")
	})
	t.Run("sparse article", func(t *testing.T) {
		storedFormat(t, articles, storedformat.SparseArticle, "article-sparse.json")
	})
	t.Run("rich benefit", func(t *testing.T) {
		storedFormat(t, benefits, storedformat.Benefit, "benefit-rich.json")
	})
	t.Run("sparse benefit", func(t *testing.T) {
		storedFormat(t, benefits, storedformat.SparseBenefit, "benefit-sparse.json")
	})
	t.Run("rich tool", func(t *testing.T) {
		storedFormat(t, tools, storedformat.Tool, "tool-rich.json")
	})
	t.Run("sparse tool", func(t *testing.T) {
		storedFormat(t, tools, storedformat.SparseTool, "tool-sparse.json")
	})
}

func articles(s pause.Stores) pause.ArticleStore { return s.Articles }
func benefits(s pause.Stores) pause.BenefitStore { return s.Benefits }
func tools(s pause.Stores) pause.ToolStore       { return s.Tools }

// storedContent is what the table holds of one content item: the items of its partition by
// sort key (ITEM, BODY, DRAFTBODY), its slug marker and its type's counters.
type storedContent struct {
	Partition map[string]map[string]any `json:"partition"`
	Slug      map[string]any            `json:"slug"`
	Counters  map[string]any            `json:"counters"`
}

func storedFormat[T pause.Item[T], F pause.Filter[T], S pause.Store[T, F]](t *testing.T, of func(pause.Stores) S, mk func() T, golden string) {
	ctx := context.Background()
	item := mk()
	s, client, table := openTestTable(t)
	store := of(s.Stores())
	kind := any(store).(interface{ prefix() kindKey }).prefix()
	m := item.Metadata()
	if err := store.Create(ctx, item); err != nil {
		t.Fatal(err)
	}
	stored := storedContent{Partition: map[string]map[string]any{}}
	for _, av := range partitionItems(t, client, table, itemPK(kind, m.ID)) {
		stored.Partition[skOf(av)] = avJSON(av)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key(slugPK(kind, m.Slug), skSlug), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	stored.Slug = avJSON(got.Item)
	counters := map[string]types.AttributeValue{}
	for _, av := range partitionItems(t, client, table, counterPK(kind)) {
		counters[skOf(av)] = av[attrCount]
	}
	stored.Counters = avJSON(counters)
	out, err := json.MarshalIndent(stored, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := storedformat.Golden(t, golden, append(out, '\n'))

	// The golden items, as an older version wrote them, in a table of their own.
	var old storedContent
	if err := json.Unmarshal(want, &old); err != nil {
		t.Fatal(err)
	}
	s, client, table = openTestTable(t)
	for _, j := range old.Partition {
		av, err := jsonAV(map[string]any{"M": j})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: av.(*types.AttributeValueMemberM).Value}); err != nil {
			t.Fatal(err)
		}
	}
	read, err := of(s.Stores()).Get(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := mk(); !reflect.DeepEqual(read, want) {
		t.Errorf("the golden items read back as\n%+v\nwant\n%+v", read, want)
		if !isNil(want.WorkingDraft()) && !isNil(read.WorkingDraft()) {
			t.Errorf("draft:\n%+v\nwant\n%+v", read.WorkingDraft(), want.WorkingDraft())
		}
	}
}

func partitionItems(t *testing.T, client *dynamodb.Client, table, pk string) []map[string]types.AttributeValue {
	t.Helper()
	res, err := client.Query(context.Background(), &dynamodb.QueryInput{
		TableName: &table, KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.LastEvaluatedKey != nil {
		t.Fatal("partition larger than one page")
	}
	return res.Items
}

// avJSON returns the attribute values as DynamoDB's JSON writes them ({"S": "…"}), but for a
// gzipped binary (a body), written {"B.gzip": "<its text>"} so that the golden files say what
// it holds and do not depend on the bytes of one version of compress/gzip.
func avJSON(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = valueJSON(v)
	}
	return out
}

func valueJSON(v types.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberB:
		if s, err := unpack(v.Value); err == nil && bytes.HasPrefix(v.Value, []byte{0x1f, 0x8b}) {
			return map[string]any{"B.gzip": s}
		}
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberSS:
		ss := append([]string(nil), v.Value...)
		sort.Strings(ss)
		return map[string]any{"SS": ss}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = valueJSON(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": avJSON(v.Value)}
	}
	panic(fmt.Sprintf("valueJSON: %T", v))
}

// jsonAV reads back what valueJSON writes.
func jsonAV(j map[string]any) (types.AttributeValue, error) {
	for typ, v := range j {
		switch typ {
		case "S":
			return &types.AttributeValueMemberS{Value: v.(string)}, nil
		case "N":
			return &types.AttributeValueMemberN{Value: v.(string)}, nil
		case "BOOL":
			return &types.AttributeValueMemberBOOL{Value: v.(bool)}, nil
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: v.(bool)}, nil
		case "B":
			b, err := base64.StdEncoding.DecodeString(v.(string))
			return &types.AttributeValueMemberB{Value: b}, err
		case "B.gzip":
			b, err := pack(v.(string))
			return &types.AttributeValueMemberB{Value: b}, err
		case "SS":
			var ss []string
			for _, s := range v.([]any) {
				ss = append(ss, s.(string))
			}
			return &types.AttributeValueMemberSS{Value: ss}, nil
		case "L":
			var l []types.AttributeValue
			for _, e := range v.([]any) {
				av, err := jsonAV(e.(map[string]any))
				if err != nil {
					return nil, err
				}
				l = append(l, av)
			}
			if l == nil {
				l = []types.AttributeValue{}
			}
			return &types.AttributeValueMemberL{Value: l}, nil
		case "M":
			m := map[string]types.AttributeValue{}
			for k, e := range v.(map[string]any) {
				av, err := jsonAV(e.(map[string]any))
				if err != nil {
					return nil, err
				}
				m[k] = av
			}
			return &types.AttributeValueMemberM{Value: m}, nil
		}
		return nil, fmt.Errorf("unknown attribute value type %s", typ)
	}
	return nil, fmt.Errorf("empty attribute value")
}
