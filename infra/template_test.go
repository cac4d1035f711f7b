package infra

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/intrinsics"

	"pause/app"
	"pause/dynamo"
)

// The template is decoded strictly by goformation (an unknown property or a wrong type fails),
// once per kind of stage, with its conditions evaluated. References to resources become
// placeholders ("ref:Table", "getatt:Table.Arn") so that the tests can see what points where.

var stages = []string{"prod", "demo"}

// baseParams are the parameters deploy.sh always sets (the template has no default for them).
var baseParams = map[string]any{
	"JwtSecretParameter": "/pause/test/jwt-secret", "CodeBucket": "pause-artifacts-123456789012-us-east-1",
	"CodeKey": "pause-test/0123abcd.zip", "AuthCodeKey": "pause-test/4567cdef.zip", "OriginSecretParameter": "/pause/test/origin-secret",
}

// newerProperties are the properties this template uses that goformation v7.14.9 does not know
// yet (its strict decoding would refuse them): they are taken out before decoding and asserted
// on the processed map instead (see processed).
var newerProperties = map[string][]string{
	"Function":     {"LoggingConfig"},
	"Worker":       {"LoggingConfig"},
	"AuthFunction": {"LoggingConfig"},
	"Table":        {"OnDemandThroughput", "GlobalSecondaryIndexes.*.OnDemandThroughput"},
}

func parseTemplate(t *testing.T, overrides map[string]any) *cloudformation.Template {
	t.Helper()
	raw := processed(t, overrides)
	for name, props := range newerProperties {
		res, _ := raw["Resources"].(map[string]any)[name].(map[string]any)
		p, _ := res["Properties"].(map[string]any)
		for _, prop := range props {
			if first, rest, nested := strings.Cut(prop, ".*."); nested {
				for _, item := range p[first].([]any) {
					delete(item.(map[string]any), rest)
				}
			} else {
				if _, ok := p[prop]; !ok {
					t.Fatalf("%s has no %s any more: take it out of newerProperties", name, prop)
				}
				delete(p, prop)
			}
		}
	}
	data, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := goformation.ParseJSONWithOptions(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatalf("template.yaml does not decode strictly: %v", err)
	}
	return tmpl
}

// processedCache holds processed templates (JSON) by their parameters and region.
var processedCache sync.Map

// testRegion is the region the tests deploy to (AWS::Region); a test may change it.
var testRegion = "us-east-1"

// processed returns the template with the parameters (baseParams, then overrides) and its
// intrinsic functions resolved: references to resources become placeholders, Fn::If and the
// Rules' assertions are evaluated.
func processed(t *testing.T, overrides map[string]any) map[string]any {
	t.Helper()
	data, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]any{}
	for k, v := range baseParams {
		params[k] = v
	}
	for k, v := range overrides {
		params[k] = v
	}
	// The same parameters give the same template: processed once (it is most of these
	// tests' time, under -race), decoded afresh for each caller, which may change it.
	key, _ := json.Marshal(map[string]any{"params": params, "region": testRegion, "template": string(data)})
	if out, ok := processedCache.Load(string(key)); ok {
		var raw map[string]any
		if err := json.Unmarshal(out.([]byte), &raw); err != nil {
			t.Fatal(err)
		}
		return raw
	}
	out, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{
		ParameterOverrides: params,
		// Not EvaluateConditions: it replaces resources that have a Condition by its value.
		// Fn::If is evaluated here instead, and conditional resources keep their Condition.
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
			"Ref":        refHandler,
			"Fn::GetAtt": getAttHandler,
			"Fn::Sub":    subHandler,
			"Fn::If":     ifHandler,
		},
	})
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	processedCache.Store(string(key), out)
	var raw map[string]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	return raw
}

var pseudo = map[string]string{
	"AWS::AccountId": "123456789012", "AWS::Region": "us-east-1", "AWS::Partition": "aws",
	"AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "pause-test",
}

// refHandler resolves a parameter to its (overridden) default, a pseudo parameter to a
// sample, AWS::NoValue to nothing, and a resource to "ref:NAME".
func refHandler(_ string, input any, template any) any {
	name, _ := input.(string)
	if name == "AWS::NoValue" {
		return nil
	}
	if name == "AWS::Region" {
		return testRegion
	}
	if v, ok := pseudo[name]; ok {
		return v
	}
	if p, ok := parameter(template, name); ok {
		typ, _ := p["Type"].(string)
		if s, ok := p["Default"].(string); ok && (typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")) {
			var out []any // a list parameter's Ref is a list
			for _, v := range strings.Split(s, ",") {
				out = append(out, strings.TrimSpace(v))
			}
			return out
		}
		return p["Default"]
	}
	return "ref:" + name
}

func getAttHandler(_ string, input any, _ any) any {
	switch v := input.(type) {
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, fmt.Sprint(p))
		}
		return "getatt:" + strings.Join(parts, ".")
	case string:
		return "getatt:" + v
	}
	return nil
}

var subVar = regexp.MustCompile(`\$\{([^}]+)\}`)

func subHandler(_ string, input any, template any) any {
	s, ok := input.(string)
	vars := map[string]any{}
	if args, isList := input.([]any); isList && len(args) == 2 {
		s, ok = args[0].(string)
		vars, _ = args[1].(map[string]any)
	}
	if !ok {
		return nil
	}
	return subVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		var v any
		if given, ok := vars[name]; ok {
			v = given
		} else if strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::") {
			v = getAttHandler("", name, template)
		} else {
			v = refHandler("", name, template)
		}
		return fmt.Sprint(v)
	})
}

func ifHandler(_ string, input any, template any) any {
	args, ok := input.([]any)
	if !ok || len(args) != 3 {
		return nil
	}
	name, _ := args[0].(string)
	if condition(template, name) {
		return args[1]
	}
	return args[2]
}

// condition evaluates the template's condition with the name.
func condition(template any, name string) bool {
	tm, _ := template.(map[string]any)
	conds, _ := tm["Conditions"].(map[string]any)
	expr, ok := conds[name]
	if !ok {
		panic("no condition " + name)
	}
	return evalCondition(template, expr)
}

func evalCondition(template, expr any) bool {
	if name, ok := expr.(string); ok {
		return condition(template, name) // goformation reads !Condition X as "X"
	}
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		panic(fmt.Sprintf("condition %v", expr))
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Condition":
			return condition(template, arg.(string))
		case "Fn::Not":
			return !evalCondition(template, args[0])
		case "Fn::And", "Fn::Or":
			and := fn == "Fn::And"
			for _, a := range args {
				if evalCondition(template, a) != and {
					return !and
				}
			}
			return and
		case "Fn::Equals":
			return fmt.Sprint(conditionValue(template, args[0])) == fmt.Sprint(conditionValue(template, args[1]))
		}
		panic("condition function " + fn)
	}
	return false
}

func conditionValue(template, v any) any {
	if m, ok := v.(map[string]any); ok {
		if name, ok := m["Ref"].(string); ok {
			return refHandler("Ref", name, template)
		}
	}
	return v
}

func parameter(template any, name string) (map[string]any, bool) {
	tm, _ := template.(map[string]any)
	params, _ := tm["Parameters"].(map[string]any)
	p, ok := params[name].(map[string]any)
	return p, ok
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TestTemplateTable checks that the table has exactly dynamo.TableDefinition's keys, attribute
// definitions and indexes, billed on demand, with PITR and encryption, and that deletion
// protection is on for production stages only.
func TestTemplateTable(t *testing.T) {
	for _, stage := range stages {
		t.Run(stage, func(t *testing.T) {
			tmpl := parseTemplate(t, map[string]any{"Stage": stage})
			tables := tmpl.GetAllDynamoDBTableResources()
			if len(tables) != 1 {
				t.Fatalf("%d tables, want 1", len(tables))
			}
			table, err := tmpl.GetDynamoDBTableWithName("Table")
			if err != nil {
				t.Fatal(err)
			}
			want := dynamo.TableDefinition("pause-" + stage)
			if got := deref(table.TableName); got != aws.ToString(want.TableName) {
				t.Errorf("TableName %q, want %q", got, aws.ToString(want.TableName))
			}
			if got := deref(table.BillingMode); got != string(want.BillingMode) {
				t.Errorf("BillingMode %q, want %q", got, want.BillingMode)
			}
			if ttl := table.TimeToLiveSpecification; ttl == nil || deref(ttl.AttributeName) != dynamo.TimeToLiveAttribute || !ttl.Enabled {
				t.Errorf("TimeToLiveSpecification %+v, want %s enabled", ttl, dynamo.TimeToLiveAttribute)
			}
			var gotKeys, wantKeys []string
			for _, k := range table.KeySchema {
				gotKeys = append(gotKeys, k.AttributeName+" "+k.KeyType)
			}
			for _, k := range want.KeySchema {
				wantKeys = append(wantKeys, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
			}
			if !slices.Equal(gotKeys, wantKeys) {
				t.Errorf("KeySchema %v, want %v", gotKeys, wantKeys)
			}
			var gotAttrs, wantAttrs []string
			for _, a := range table.AttributeDefinitions {
				gotAttrs = append(gotAttrs, a.AttributeName+" "+a.AttributeType)
			}
			for _, a := range want.AttributeDefinitions {
				wantAttrs = append(wantAttrs, aws.ToString(a.AttributeName)+" "+string(a.AttributeType))
			}
			sort.Strings(gotAttrs)
			sort.Strings(wantAttrs)
			if !slices.Equal(gotAttrs, wantAttrs) {
				t.Errorf("AttributeDefinitions %v, want %v", gotAttrs, wantAttrs)
			}
			gotIdx := map[string]string{}
			for _, g := range table.GlobalSecondaryIndexes {
				var keys []string
				for _, k := range g.KeySchema {
					keys = append(keys, k.AttributeName+" "+k.KeyType)
				}
				var proj string
				if g.Projection != nil {
					proj = deref(g.Projection.ProjectionType) + fmt.Sprint(g.Projection.NonKeyAttributes)
				}
				gotIdx[g.IndexName] = fmt.Sprint(keys, " ", proj)
			}
			wantIdx := map[string]string{}
			for _, g := range want.GlobalSecondaryIndexes {
				var keys []string
				for _, k := range g.KeySchema {
					keys = append(keys, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
				}
				var proj string
				if g.Projection != nil {
					var nonKey []string
					nonKey = append(nonKey, g.Projection.NonKeyAttributes...)
					proj = string(g.Projection.ProjectionType) + fmt.Sprint(nonKey)
				}
				wantIdx[aws.ToString(g.IndexName)] = fmt.Sprint(keys, " ", proj)
			}
			if !reflect.DeepEqual(gotIdx, wantIdx) {
				t.Errorf("GlobalSecondaryIndexes\n got %v\nwant %v", gotIdx, wantIdx)
			}
			if len(table.LocalSecondaryIndexes) != len(want.LocalSecondaryIndexes) {
				t.Errorf("%d local indexes, want %d", len(table.LocalSecondaryIndexes), len(want.LocalSecondaryIndexes))
			}
			if table.PointInTimeRecoverySpecification == nil || !deref(table.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled) {
				t.Error("point-in-time recovery is off")
			}
			if table.SSESpecification == nil || !table.SSESpecification.SSEEnabled {
				t.Error("server-side encryption with KMS is off")
			}
			if table.AWSCloudFormationDeletionPolicy != "Retain" || table.AWSCloudFormationUpdateReplacePolicy != "Retain" {
				t.Errorf("DeletionPolicy %q, UpdateReplacePolicy %q: want Retain (destroy.sh deletes the table after checking its protection)",
					table.AWSCloudFormationDeletionPolicy, table.AWSCloudFormationUpdateReplacePolicy)
			}
			if got, want := deref(table.DeletionProtectionEnabled), stage == "prod"; got != want {
				t.Errorf("DeletionProtectionEnabled %v, want %v", got, want)
			}
		})
	}
}

// TestTemplateFunction checks the function against the build: runtime, architecture, handler
// and package, and its wiring to the API.
func TestTemplateFunction(t *testing.T) {
	tmpl := parseTemplate(t, map[string]any{"Stage": "demo"})
	fn, err := tmpl.GetServerlessFunctionWithName("Function")
	if err != nil {
		t.Fatal(err)
	}
	if got := deref(fn.Runtime); got != "provided.al2023" {
		t.Errorf("Runtime %q", got)
	}
	if !slices.Equal(fn.Architectures, []string{"arm64"}) {
		t.Errorf("Architectures %v", fn.Architectures)
	}
	if got := deref(fn.Handler); got != Handler {
		t.Errorf("Handler %q, want %q (the file in the zip)", got, Handler)
	}
	// The zip deploy.sh uploaded (owner-checked), named by the parameters it sets.
	if fn.CodeUri == nil || fn.CodeUri.S3Location == nil || fn.CodeUri.S3Location.Bucket != baseParams["CodeBucket"] ||
		fn.CodeUri.S3Location.Key != baseParams["CodeKey"] {
		t.Errorf("CodeUri %+v, want the CodeBucket and CodeKey parameters", fn.CodeUri)
	}
	if got := deref(fn.AutoPublishAlias); got != "live" {
		t.Errorf("AutoPublishAlias %q", got)
	}
	if got := deref(fn.Role); got != "getatt:FunctionRole.Arn" {
		t.Errorf("Role %q", got)
	}

	// The Makefile builds what the template declares.
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	target := makeTarget(string(mk), "lambda")
	for _, want := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-tags lambda.norpc", "-trimpath", "-s -w",
		"-o dist/api/bootstrap ./lambda", "./infra/lambdazip dist/api/bootstrap dist/pause-lambda.zip",
		"-o dist/auth/bootstrap ./lambda", "./infra/lambdazip dist/auth/bootstrap dist/pause-auth.zip",
		"lambda.norpc,nobolt,noaccounts", "lambda.norpc,nobolt,authonly"} {
		if !strings.Contains(target, want) {
			t.Errorf("the Makefile's lambda target has no %q:\n%s", want, target)
		}
	}

	integ, err := tmpl.GetApiGatewayV2IntegrationWithName("Integration")
	if err != nil {
		t.Fatal(err)
	}
	if deref(integ.IntegrationUri) != "ref:Function.Alias" || deref(integ.PayloadFormatVersion) != "2.0" || integ.IntegrationType != "AWS_PROXY" {
		t.Errorf("integration %s %s %s: want the alias, AWS_PROXY, payload 2.0 (the bootstrap's default events)",
			deref(integ.IntegrationUri), integ.IntegrationType, deref(integ.PayloadFormatVersion))
	}
	perm, err := tmpl.GetLambdaPermissionWithName("InvokePermission")
	if err != nil {
		t.Fatal(err)
	}
	if perm.FunctionName != "ref:Function.Alias" || perm.Principal != "apigateway.amazonaws.com" {
		t.Errorf("permission %s for %s", perm.FunctionName, perm.Principal)
	}
	lg, err := tmpl.GetLogsLogGroupWithName("LogGroup")
	if err != nil {
		t.Fatal(err)
	}
	if deref(lg.LogGroupName) != "/aws/lambda/"+deref(fn.FunctionName) || deref(lg.RetentionInDays) == 0 {
		t.Errorf("log group %q (retention %d) is not the function's (%q)", deref(lg.LogGroupName), deref(lg.RetentionInDays), deref(fn.FunctionName))
	}
}

// makeTarget returns the rule of the Makefile target: its line and recipe.
func makeTarget(mk, name string) string {
	lines := strings.Split(mk, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, name+":") {
			end := i + 1
			for end < len(lines) && (strings.HasPrefix(lines[end], "\t") || strings.HasSuffix(lines[end-1], "\\")) {
				end++
			}
			return strings.Join(lines[i:end], "\n")
		}
	}
	return ""
}

// TestTemplateRoutes checks the API: the routes the server serves, the authorizer only when
// configured, throttling from the parameters.
func TestTemplateRoutes(t *testing.T) {
	for _, auth := range []bool{false, true} {
		t.Run(fmt.Sprintf("authorizer=%v", auth), func(t *testing.T) {
			over := map[string]any{"Stage": "demo", "ThrottlingRateLimit": 7, "ThrottlingBurstLimit": 9}
			if auth {
				over["JwtIssuer"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"
				over["JwtAudience"] = "client-id"
				over["GatewayAuthorizer"] = "true"
			}
			tmpl := parseTemplate(t, over)
			got := map[string]string{}
			for _, r := range tmpl.GetAllApiGatewayV2RouteResources() {
				// /auth/ goes to the sign-in function, everything else to the API's.
				want := "integrations/ref:Integration"
				if strings.HasPrefix(r.RouteKey, "ANY /auth/") {
					want = "integrations/ref:AuthIntegration"
				}
				if deref(r.Target) != want {
					t.Errorf("route %s targets %q, want %q", r.RouteKey, deref(r.Target), want)
				}
				got[r.RouteKey] = deref(r.AuthorizationType) + " " + deref(r.AuthorizerId)
			}
			guarded := "NONE "
			if auth {
				guarded = "JWT ref:Authorizer"
			}
			want := map[string]string{
				"POST /graphql": guarded, "GET /graphql": guarded,
				"OPTIONS /graphql": "NONE ", "GET /healthz": "NONE ",
				"ANY /auth/{proxy+}": "NONE ", "GET /studio": "NONE ", "GET /studio/{proxy+}": "NONE ",
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("routes %v, want %v", got, want)
			}
			_, err := tmpl.GetApiGatewayV2AuthorizerWithName("Authorizer")
			if (err == nil) != auth {
				// Conditions stay on the resource: check that it is the authorizer's.
				a := tmpl.Resources["Authorizer"]
				if a == nil || a.AWSCloudFormationType() != "AWS::ApiGatewayV2::Authorizer" {
					t.Errorf("authorizer: %v", err)
				}
			}
			stage, err := tmpl.GetApiGatewayV2StageWithName("ApiStage")
			if err != nil {
				t.Fatal(err)
			}
			rs := stage.DefaultRouteSettings
			if rs == nil || deref(rs.ThrottlingRateLimit) != 7 || deref(rs.ThrottlingBurstLimit) != 9 || stage.StageName != "$default" {
				t.Errorf("stage %s throttling %+v", stage.StageName, rs)
			}
		})
	}
}

// lambdaEnvExempt are the variables the Lambda reads that the template must not set, and why.
var lambdaEnvExempt = map[string]string{
	"PAUSE_ADDR": "the address `pause serve` listens on: Lambda has no listener",
	"PAUSE_DATA": "the bolt file: the deployed function uses DynamoDB",
	"PAUSE_PUBLIC_CACHE": "the embedded store's response cache: DynamoDB, written by every " +
		"instance of the function, never has it",
	"PAUSE_JWT_SECRET":        "read from SSM (PAUSE_JWT_SECRET_PARAM) at init: never plain text in the template",
	"PAUSE_PUBLIC_CACHE_SIZE": "the size of the embedded store's response cache, which DynamoDB never has",

	// Accounts (issue 13).
	"PAUSE_ADMIN_EMAIL":        "the first admin that `pause serve` makes: a stage's first admin comes from `pause user create`",
	"PAUSE_OIDC_CLIENT_SECRET": "read from SSM (PAUSE_OIDC_CLIENT_SECRET_PARAM) at init: never plain text in the template",
	"PAUSE_JWT_SECRET_PREVIOUS": "read from SSM (PAUSE_JWT_SECRET_PARAM and -previous) at init during a rotation: " +
		"never plain text in the template",
}

// apiEnvExempt are the variables that the API's function does not get, beside lambdaEnvExempt:
// what only the sign-in function reads.
var apiEnvExempt = map[string]string{
	"PAUSE_OIDC_ISSUER":              "single sign-on is the sign-in function's: the API's bootstrap has no accounts (noaccounts)",
	"PAUSE_OIDC_CLIENT_ID":           "single sign-on is the sign-in function's",
	"PAUSE_OIDC_CLIENT_SECRET_PARAM": "single sign-on is the sign-in function's: the API's role may not read the client's secret",
}

var envName = regexp.MustCompile(`^PAUSE_[A-Z0-9_]+$`)

// lambdaReads returns the environment variables the Lambda reads: those app.FromEnv asks for,
// and every PAUSE_* name in the non-test Go files of app/ and lambda/.
func lambdaReads(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	app.FromEnv(func(k string) string { seen[k] = true; return "" })
	for _, dir := range []string{"../app", "../lambda"} {
		envNames(parseDir(t, dir), seen)
	}
	return pauseNames(seen)
}

// envNames adds to seen every string of the files that is a PAUSE_* name.
func envNames(files []*ast.File, seen map[string]bool) {
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && envName.MatchString(s) {
					seen[s] = true
				}
			}
			return true
		})
	}
}

// pauseNames returns the PAUSE_* names among seen, sorted.
func pauseNames(seen map[string]bool) []string {
	var out []string
	for k := range seen {
		if strings.HasPrefix(k, "PAUSE_") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestTemplateEnvironment checks that the template sets every variable the Lambda reads (but
// the exempt ones), nothing else, and never the JWT secret itself.
func TestTemplateEnvironment(t *testing.T) {
	reads := lambdaReads(t)
	for _, must := range []string{"PAUSE_STORE", "PAUSE_TABLE", "PAUSE_JWT_SECRET_PARAM", "PAUSE_LAMBDA_EVENT"} {
		if !slices.Contains(reads, must) {
			t.Fatalf("found no %s among what the Lambda reads (%v): the source scan is broken", must, reads)
		}
	}
	for _, stage := range stages {
		tmpl := parseTemplate(t, map[string]any{"Stage": stage})
		fn, err := tmpl.GetServerlessFunctionWithName("Function")
		if err != nil {
			t.Fatal(err)
		}
		if fn.Environment == nil {
			t.Fatal("the function has no environment")
		}
		vars := fn.Environment.Variables
		for _, k := range reads {
			_, set := vars[k]
			why, exempt := lambdaEnvExempt[k]
			if w, ok := apiEnvExempt[k]; ok {
				why, exempt = w, true
			}
			if exempt {
				if set {
					t.Errorf("%s: the template sets %s, which it must not: %s", stage, k, why)
				}
			} else if !set {
				t.Errorf("%s: the Lambda reads %s and the template does not set it", stage, k)
			}
		}
		for k := range vars {
			if !slices.Contains(reads, k) {
				t.Errorf("%s: the template sets %s, which nothing reads", stage, k)
			}
		}
		want := map[string]string{
			"PAUSE_ENV": "production", "PAUSE_STORE": "dynamodb", "PAUSE_TABLE": "ref:Table",
			"PAUSE_JWT_SECRET_PARAM": "/pause/test/jwt-secret", "PAUSE_LAMBDA_EVENT": "v2",
		}
		for k, v := range want {
			if vars[k] != v {
				t.Errorf("%s: %s = %q, want %q", stage, k, vars[k], v)
			}
		}
	}
	raw, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`PAUSE_JWT_SECRET\s*:`).Match(raw) {
		t.Error("template.yaml sets PAUSE_JWT_SECRET: the secret must come from SSM")
	}
}

// TestTemplateIAM checks that the function's role allows exactly the DynamoDB actions the store
// calls, on the table and its indexes only, the one SSM parameter, and its own log group.
func TestTemplateIAM(t *testing.T) {
	wantDynamo := storeActions(t)
	tmpl := parseTemplate(t, map[string]any{"Stage": "demo"})
	role, err := tmpl.GetIAMRoleWithName("FunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	if len(role.ManagedPolicyArns) > 0 {
		t.Errorf("managed policies %v: least privilege means the inline policy only", role.ManagedPolicyArns)
	}
	stmts := statements(t, role)
	got := map[string][]string{} // service -> actions
	resources := map[string][]string{}
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range list(s.Action) {
			service, _, _ := strings.Cut(a, ":")
			got[service] = append(got[service], a)
			resources[service] = append(resources[service], list(s.Resource)...)
			if strings.Contains(a, "*") {
				t.Errorf("wildcard action %s", a)
			}
		}
	}
	for service := range got {
		sort.Strings(got[service])
		resources[service] = slices.Compact(slices.Sorted(slices.Values(resources[service])))
	}
	if !slices.Equal(got["dynamodb"], wantDynamo) {
		t.Errorf("DynamoDB actions\n got %v\nwant %v (what dynamo/ calls)", got["dynamodb"], wantDynamo)
	}
	if want := []string{"getatt:Table.Arn", "getatt:Table.Arn/index/*"}; !slices.Equal(resources["dynamodb"], want) {
		t.Errorf("DynamoDB resources %v, want %v", resources["dynamodb"], want)
	}
	if !slices.Equal(got["ssm"], []string{"ssm:GetParameters"}) ||
		!slices.Equal(resources["ssm"], []string{"arn:aws:ssm:us-east-1:123456789012:parameter/pause/test/jwt-secret",
			"arn:aws:ssm:us-east-1:123456789012:parameter/pause/test/jwt-secret-previous"}) {
		t.Errorf("SSM: %v on %v, want ssm:GetParameters on the secret's parameter and its previous one only", got["ssm"], resources["ssm"])
	}
	if !slices.Equal(got["logs"], []string{"logs:CreateLogStream", "logs:PutLogEvents"}) ||
		!slices.Equal(resources["logs"], []string{"getatt:LogGroup.Arn:*"}) {
		t.Errorf("logs: %v on %v", got["logs"], resources["logs"])
	}
	// X-Ray's write actions take no resource: "*" is the only one there is.
	if !slices.Equal(got["xray"], []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments"}) ||
		!slices.Equal(resources["xray"], []string{"*"}) {
		t.Errorf("xray: %v on %v", got["xray"], resources["xray"])
	}
	// The media library: each prefix gets what its step does, and nothing reads media/ but
	// CloudFront (the bucket policy, TestTemplateMedia).
	s3 := map[string][]string{}
	for _, st := range stmts {
		for _, a := range list(st.Action) {
			if strings.HasPrefix(a, "s3:") {
				for _, r := range list(st.Resource) {
					s3[r] = append(s3[r], a)
				}
			}
		}
	}
	bucket := "arn:aws:s3:::pause-demo-media-123456789012-us-east-1"
	if want := map[string][]string{
		bucket + "/pending/*": {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"},
		bucket + "/media/*":   {"s3:PutObject", "s3:DeleteObject"},
	}; !reflect.DeepEqual(s3, want) {
		t.Errorf("S3 actions by resource\n got %v\nwant %v", s3, want)
	}
	for service := range got {
		if service != "dynamodb" && service != "ssm" && service != "logs" && service != "xray" && service != "s3" {
			t.Errorf("unexpected actions %v", got[service])
		}
	}
}

func list(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// statement is one statement of an IAM policy, its action and resource a string or a list.
type statement struct {
	Effect   string
	Action   any
	Resource any
}

// statements returns the statements of the role's inline policies.
func statements(t *testing.T, role *iam.Role) []statement {
	t.Helper()
	var stmts []statement
	for _, p := range role.Policies {
		var doc struct{ Statement []statement }
		remarshal(t, p.PolicyDocument, &doc)
		stmts = append(stmts, doc.Statement...)
	}
	return stmts
}

func remarshal(t *testing.T, from, to any) {
	t.Helper()
	b, err := json.Marshal(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, to); err != nil {
		t.Fatal(err)
	}
}

// provisioning are the dynamo functions that create the table: `pause table create` runs them
// with an operator's credentials (and in AWS the template creates the table), never the
// function, so the calls they make are not the function's.
var provisioning = map[string]bool{"CreateTable": true, "checkTable": true, "enableTTL": true}

// itemActions are the IAM actions that authorize each kind of item of a transaction.
var itemActions = map[string]string{
	"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
	"ConditionCheck": "ConditionCheckItem", "Get": "GetItem",
}

// storeActions returns the IAM actions for the DynamoDB calls in dynamo/'s non-test code: every
// call of a *dynamodb.Client method through a value named client (t.client, s.t.client...),
// paginators and waiters by their operation, and transactions as the actions of the item kinds
// they are built from.
func storeActions(t *testing.T) []string {
	t.Helper()
	clientType := reflect.TypeOf((*dynamodb.Client)(nil))
	ops := map[string]bool{}
	kinds := map[string]bool{}
	for _, f := range parseDir(t, "../dynamo") {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || provisioning[fd.Name.Name] {
				continue
			}
			ast.Inspect(fd, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if lastName(sel.X) == "client" {
						if _, ok := clientType.MethodByName(sel.Sel.Name); ok && sel.Sel.Name != "Options" {
							ops[sel.Sel.Name] = true
						}
					}
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "dynamodb" {
						name := sel.Sel.Name
						if op, ok := strings.CutSuffix(strings.TrimPrefix(name, "New"), "Paginator"); ok && name != op {
							ops[op] = true
						}
						if strings.HasSuffix(name, "Waiter") && strings.HasPrefix(name, "NewTable") {
							ops["DescribeTable"] = true
						}
					}
				case *ast.CompositeLit:
					if sel, ok := n.Type.(*ast.SelectorExpr); ok {
						if x, ok := sel.X.(*ast.Ident); ok && x.Name == "types" {
							if _, ok := itemActions[sel.Sel.Name]; ok {
								kinds[sel.Sel.Name] = true
							}
						}
					}
				}
				return true
			})
		}
	}
	if !ops["GetItem"] || !ops["Query"] {
		t.Fatalf("found the calls %v in dynamo/, without GetItem and Query: the source scan is broken", ops)
	}
	actions := map[string]bool{}
	for op := range ops {
		switch op {
		case "TransactWriteItems", "TransactGetItems":
			for kind := range kinds {
				if (op == "TransactGetItems") == (kind == "Get") {
					actions["dynamodb:"+itemActions[kind]] = true
				}
			}
		default:
			actions["dynamodb:"+op] = true
		}
	}
	return slices.Sorted(func(yield func(string) bool) {
		for a := range actions {
			if !yield(a) {
				return
			}
		}
	})
}

// lastName is the name an expression ends with: client for client, t.client and s.t.client.
func lastName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// parseDir parses the non-test Go files of the folder.
func parseDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return files
}

// TestZip checks the deployment package: one executable bootstrap, and the same zip for the
// same bootstrap.
func TestZip(t *testing.T) {
	content := []byte("#!/bin/sh\necho not really a Go binary\n")
	var a, b bytes.Buffer
	if err := Zip(&a, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if err := Zip(&b, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two zips of the same bootstrap differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != Handler {
		t.Fatalf("files %v", zr.File)
	}
	if mode := zr.File[0].Mode(); mode.Perm() != 0o755 || !mode.IsRegular() {
		t.Errorf("mode %v, want an executable regular file", mode)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("content %q, %v", got, err)
	}
}

// TestTemplateExternalIssuer checks that an external issuer reaches the function, with the
// JWKS URL derived as Cognito publishes it unless given, and that the API stays public unless
// the gateway authorizer is asked for.
func TestTemplateExternalIssuer(t *testing.T) {
	const issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
	for name, c := range map[string]struct {
		over     map[string]any
		wantJWKS string
	}{
		"none":    {map[string]any{}, ""},
		"derived": {map[string]any{"JwtIssuer": issuer, "JwtAudience": "client"}, issuer + "/.well-known/jwks.json"},
		"given":   {map[string]any{"JwtIssuer": issuer, "JwtJwksUrl": "https://keys.example.com/jwks"}, "https://keys.example.com/jwks"},
	} {
		t.Run(name, func(t *testing.T) {
			c.over["Stage"] = "demo"
			tmpl := parseTemplate(t, c.over)
			fn, err := tmpl.GetServerlessFunctionWithName("Function")
			if err != nil {
				t.Fatal(err)
			}
			vars := fn.Environment.Variables
			if vars["PAUSE_JWKS_URL"] != c.wantJWKS || vars["PAUSE_JWT_ISSUER"] != fmt.Sprint(cmpOr(c.over["JwtIssuer"], "")) {
				t.Errorf("PAUSE_JWKS_URL %q, PAUSE_JWT_ISSUER %q", vars["PAUSE_JWKS_URL"], vars["PAUSE_JWT_ISSUER"])
			}
			if vars["PAUSE_JWT_ROLE_CLAIM"] != "role" {
				t.Errorf("PAUSE_JWT_ROLE_CLAIM %q", vars["PAUSE_JWT_ROLE_CLAIM"])
			}
			for _, r := range tmpl.GetAllApiGatewayV2RouteResources() {
				if deref(r.AuthorizationType) != "NONE" {
					t.Errorf("route %s is behind %s without GatewayAuthorizer", r.RouteKey, deref(r.AuthorizationType))
				}
			}
		})
	}
}

func cmpOr(v, def any) any {
	if v == nil {
		return def
	}
	return v
}
