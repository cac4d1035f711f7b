package infra

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pause/app/core"
)

// The sign-in function (AuthFunction): the bootstrap built with the tag authonly (make lambda:
// dist/pause-auth.zip) serves /auth/ behind the same API, with a role of its own that reaches
// the account items only.

// authReads returns the PAUSE_* variables the sign-in function reads: those core.FromEnv asks
// for, and every PAUSE_* string in the Go files of app/core and lambda that its build (the
// tags of make lambda) compiles.
func authReads(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	core.FromEnv(func(k string) string { seen[k] = true; return "" })
	ctx := build.Default
	ctx.BuildTags = []string{"lambda.norpc", "nobolt", "authonly"}
	for _, dir := range []string{"../app/core", "../lambda"} {
		pkg, err := ctx.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		if dir == "../lambda" && (!slices.Contains(pkg.GoFiles, "auth.go") || slices.Contains(pkg.GoFiles, "api.go")) {
			t.Fatalf("the authonly build of lambda compiles %v: want auth.go and not api.go", pkg.GoFiles)
		}
		fset := token.NewFileSet()
		var files []*ast.File
		for _, name := range pkg.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		envNames(files, seen)
	}
	return pauseNames(seen)
}

// TestTemplateAuthFunction checks the sign-in function: the second zip, the platform and the
// conventions of the API's function (logs, tracing, alias and gradual deploys with alarms that
// roll it back, reserved concurrency), every variable it reads and nothing else, the route of
// /auth/ to it, and a CloudFront behaviour that never caches /auth/.
func TestTemplateAuthFunction(t *testing.T) {
	tmpl := parseTemplate(t, map[string]any{"Stage": "demo"})
	fn, err := tmpl.GetServerlessFunctionWithName("AuthFunction")
	if err != nil {
		t.Fatal(err)
	}
	if deref(fn.Runtime) != "provided.al2023" || !slices.Equal(fn.Architectures, []string{"arm64"}) || deref(fn.Handler) != Handler {
		t.Errorf("runtime %q, architectures %v, handler %q", deref(fn.Runtime), fn.Architectures, deref(fn.Handler))
	}
	if fn.CodeUri == nil || fn.CodeUri.S3Location == nil || fn.CodeUri.S3Location.Bucket != baseParams["CodeBucket"] ||
		fn.CodeUri.S3Location.Key != baseParams["AuthCodeKey"] {
		t.Errorf("CodeUri %+v, want the CodeBucket and AuthCodeKey parameters (dist/pause-auth.zip)", fn.CodeUri)
	}
	if deref(fn.Role) != "getatt:AuthFunctionRole.Arn" || deref(fn.AutoPublishAlias) != "live" || deref(fn.Tracing) != "Active" {
		t.Errorf("role %q, alias %q, tracing %q", deref(fn.Role), deref(fn.AutoPublishAlias), deref(fn.Tracing))
	}

	// Every variable it reads (but the exempt ones), nothing else, and the API's values.
	reads := authReads(t)
	for _, must := range []string{"PAUSE_STORE", "PAUSE_JWT_SECRET_PARAM", "PAUSE_OIDC_CLIENT_SECRET_PARAM", "PAUSE_PUBLIC_URL"} {
		if !slices.Contains(reads, must) {
			t.Fatalf("found no %s among what the sign-in function reads (%v): the scan is broken", must, reads)
		}
	}
	for _, bad := range []string{"PAUSE_INTROSPECTION", "PAUSE_MAX_DEPTH", "PAUSE_CORS_ORIGINS", "PAUSE_MEDIA_BUCKET"} {
		if slices.Contains(reads, bad) {
			t.Errorf("the sign-in function reads %s, which is the API's", bad)
		}
	}
	vars := fn.Environment.Variables
	for _, k := range reads {
		_, set := vars[k]
		if why, exempt := lambdaEnvExempt[k]; exempt && set {
			t.Errorf("the template sets %s on the sign-in function, which it must not: %s", k, why)
		} else if !exempt && !set {
			t.Errorf("the sign-in function reads %s and the template does not set it", k)
		}
	}
	for k := range vars {
		if !slices.Contains(reads, k) {
			t.Errorf("the template sets %s on the sign-in function, which it does not read", k)
		}
	}
	api, err := tmpl.GetServerlessFunctionWithName("Function")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"PAUSE_ENV", "PAUSE_STORE", "PAUSE_TABLE", "PAUSE_JWT_SECRET_PARAM", "PAUSE_PUBLIC_URL",
		"PAUSE_ORIGIN_SECRET", "PAUSE_JWT_ROLE_CLAIM", "PAUSE_LAMBDA_EVENT", "PAUSE_JWT_SECRET_ROTATION", "PAUSE_COMMIT"} {
		if vars[k] != api.Environment.Variables[k] {
			t.Errorf("%s: the sign-in function has %q, the API's %q: they must agree (same secret, same origin)",
				k, vars[k], api.Environment.Variables[k])
		}
	}

	// /auth/ goes to it, through its own integration and permission.
	integ, err := tmpl.GetApiGatewayV2IntegrationWithName("AuthIntegration")
	if err != nil {
		t.Fatal(err)
	}
	if deref(integ.IntegrationUri) != "ref:AuthFunction.Alias" || deref(integ.PayloadFormatVersion) != "2.0" || integ.IntegrationType != "AWS_PROXY" {
		t.Errorf("integration %s %s %s", deref(integ.IntegrationUri), integ.IntegrationType, deref(integ.PayloadFormatVersion))
	}
	perm, err := tmpl.GetLambdaPermissionWithName("AuthInvokePermission")
	if err != nil {
		t.Fatal(err)
	}
	if perm.FunctionName != "ref:AuthFunction.Alias" || perm.Principal != "apigateway.amazonaws.com" ||
		!strings.HasSuffix(deref(perm.SourceArn), ":ref:Api/*/*/auth/*") {
		t.Errorf("permission %s for %s from %s: want the API's /auth/ routes only", perm.FunctionName, perm.Principal, deref(perm.SourceArn))
	}
	route, err := tmpl.GetApiGatewayV2RouteWithName("AuthRoute")
	if err != nil {
		t.Fatal(err)
	}
	if route.RouteKey != "ANY /auth/{proxy+}" || deref(route.Target) != "integrations/ref:AuthIntegration" || deref(route.AuthorizationType) != "NONE" {
		t.Errorf("route %s to %s (%s)", route.RouteKey, deref(route.Target), deref(route.AuthorizationType))
	}

	// The conventions of the API's function, on the processed template.
	res := resources(t, map[string]any{"Stage": "prod", "LogLevel": "warn", "DeploymentType": "Linear10PercentEvery1Minute",
		"AuthReservedConcurrency": 4})
	p := res["AuthFunction"]
	if lc := str(p["LoggingConfig"]); lc != `{"ApplicationLogLevel":"WARN","LogFormat":"JSON","LogGroup":"ref:AuthLogGroup","SystemLogLevel":"INFO"}` {
		t.Errorf("LoggingConfig %s", lc)
	}
	if d := str(p["DeploymentPreference"]); d != `{"Alarms":["ref:Api5xxAlarm","ref:AuthErrorsAlarm","ref:AuthThrottlesAlarm"],"Type":"Linear10PercentEvery1Minute"}` {
		t.Errorf("DeploymentPreference %s", d)
	}
	if str(p["ReservedConcurrentExecutions"]) != "4" {
		t.Errorf("ReservedConcurrentExecutions %v, want AuthReservedConcurrency", p["ReservedConcurrentExecutions"])
	}
	if v := resources(t, map[string]any{"AuthReservedConcurrency": 0})["AuthFunction"]["ReservedConcurrentExecutions"]; v != nil {
		t.Error("AuthReservedConcurrency=0 still reserves")
	}
	if str(at(res["AuthErrorsAlarm"], "Dimensions")) != `[{"Name":"FunctionName","Value":"ref:AuthFunction"},{"Name":"Resource","Value":"ref:AuthFunction:live"}]` {
		t.Errorf("the sign-in alarms watch %s, want its alias live", str(at(res["AuthErrorsAlarm"], "Dimensions")))
	}
	body := str(res["Dashboard"]["DashboardBody"])
	for _, w := range []string{`"FunctionName","ref:AuthFunction"`, `"Pause","SignInRequests","Function","ref:AuthFunction"`, `"SignInRefused"`, `"SignInThrottled"`} {
		if !strings.Contains(body, w) {
			t.Errorf("the dashboard does not show %s", w)
		}
	}
	if str(res["AuthLogGroup"]["LogGroupName"]) != "/aws/lambda/pause-prod-auth" {
		t.Errorf("log group %v", res["AuthLogGroup"]["LogGroupName"])
	}

	// CloudFront never caches /auth/, whatever an answer says, and passes the cookie on.
	var auth any
	for _, b := range list2(at(res["Distribution"], "DistributionConfig", "CacheBehaviors")) {
		if at(b, "PathPattern") == "/auth/*" {
			auth = b
		}
	}
	if auth == nil {
		t.Fatal("no CloudFront behaviour for /auth/*")
	}
	const cachingDisabled, allViewerExceptHost = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "b689b0a8-53d0-40ab-baf2-68738e2966ac"
	if at(auth, "CachePolicyId") != cachingDisabled || at(auth, "OriginRequestPolicyId") != allViewerExceptHost ||
		at(auth, "TargetOriginId") != "api" || len(list2(at(auth, "AllowedMethods"))) != 7 || at(auth, "ViewerProtocolPolicy") != "redirect-to-https" {
		t.Errorf("the /auth/* behaviour %s: want CachingDisabled, every viewer header and cookie to the API, every method", str(auth))
	}
}

// TestTemplateAuthIAM checks the sign-in function's role: the four item actions the account
// stores call, on the table (no index) and only on the account items' partitions, the audit
// log for appending only, the two secrets' parameters, its own log group and X-Ray.
func TestTemplateAuthIAM(t *testing.T) {
	res := resources(t, map[string]any{"Stage": "demo", "OidcIssuer": "https://id.example.com", "OidcClientId": "pause",
		"OidcClientSecretParameter": "/pause/demo/oidc-secret"})
	role := res["AuthFunctionRole"]
	if role["ManagedPolicyArns"] != nil {
		t.Errorf("managed policies %v: least privilege means the inline policy only", role["ManagedPolicyArns"])
	}
	stmts := map[string]string{}
	for _, s := range list2(at(role, "Policies", 0, "PolicyDocument", "Statement")) {
		sid := str(at(s, "Sid"))
		if at(s, "Effect") != "Allow" {
			t.Errorf("statement %s: %s", sid, str(s))
		}
		stmts[sid] = str(at(s, "Action")) + " on " + str(at(s, "Resource")) + " if " + str(at(s, "Condition"))
	}
	want := map[string]string{
		"Accounts": `["dynamodb:DeleteItem","dynamodb:GetItem","dynamodb:PutItem","dynamodb:UpdateItem"] on getatt:Table.Arn if ` +
			`{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["USERS","USEREMAIL#*","USERIDENTITY#*","USERLINK#*","SESSION#*","USERSESSION#*","FAILURE#*"]}}`,
		"Audit": `dynamodb:PutItem on getatt:Table.Arn if {"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["AUDIT"]}}`,
		"JwtSecret": `ssm:GetParameters on ["arn:aws:ssm:us-east-1:123456789012:parameter/pause/test/jwt-secret",` +
			`"arn:aws:ssm:us-east-1:123456789012:parameter/pause/test/jwt-secret-previous"] if `,
		"OidcClientSecret": `ssm:GetParameters on arn:aws:ssm:us-east-1:123456789012:parameter/pause/demo/oidc-secret if `,
		"Logs":             `["logs:CreateLogStream","logs:PutLogEvents"] on getatt:AuthLogGroup.Arn:* if `,
		"Tracing":          `["xray:PutTelemetryRecords","xray:PutTraceSegments"] on * if `,
	}
	for sid, w := range want {
		if stmts[sid] != w {
			t.Errorf("statement %s\n got %s\nwant %s", sid, stmts[sid], w)
		}
	}
	for sid := range stmts {
		if _, ok := want[sid]; !ok {
			t.Errorf("unexpected statement %s: %s", sid, stmts[sid])
		}
	}
	// Every action granted is one the store calls (dynamo/), and none reads a list: the
	// account stores find everything by key (the Users and UserSessions lists are the API's).
	store := storeActions(t)
	for _, a := range []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"} {
		if !slices.Contains(store, a) {
			t.Errorf("%s is granted but dynamo/ never calls it", a)
		}
	}
	// Without single sign-on, no statement for its secret.
	for _, s := range list2(at(resources(t, map[string]any{"Stage": "demo"})["AuthFunctionRole"], "Policies", 0, "PolicyDocument", "Statement")) {
		if at(s, "Sid") == "OidcClientSecret" {
			t.Error("the OIDC secret's statement without OidcClientSecretParameter")
		}
	}
	// The API's role no longer reads the single sign-on secret.
	if strings.Contains(str(res["FunctionRole"]), "oidc-secret") {
		t.Errorf("the API's role reads the single sign-on secret: %s", str(res["FunctionRole"]))
	}
}
