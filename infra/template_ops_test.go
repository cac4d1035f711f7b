package infra

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// The tests of what runs the stage in production: lint, rules, alarms and their targets,
// tracing and logs, the edge (CloudFront and WAF), deploys, cost guardrails, backups.

// TestCfnLint lints the template with AWS's cfn-lint (with the SAM translator): no error, no
// warning. cfn-lint is a Python program this project's machine image has on PATH; without it
// the test skips, except in CI (CI=true), where it fails.
func TestCfnLint(t *testing.T) {
	t.Parallel() // a Python program: seconds, in parallel with the rest
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not on PATH: CI lints the template (pip install cfn-lint)")
		}
		t.Skip("cfn-lint is not on PATH")
	}
	out, err := exec.Command(bin, "--format", "parseable", "template.yaml").CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

// TestTemplateSize: deploy.sh sends the template through the artifacts bucket, from which
// CloudFormation takes up to 1 MB (inline, only 51,200 bytes).
func TestTemplateSize(t *testing.T) {
	info, err := os.Stat("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() >= 1<<20 {
		t.Errorf("template.yaml is %d bytes: over the 1 MB of a template in S3", info.Size())
	}
}

// conditions returns the evaluator of the template's conditions with the parameters.
func conditions(t *testing.T, over map[string]any) func(name string) bool {
	t.Helper()
	data, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(out, &tmpl); err != nil {
		t.Fatal(err)
	}
	params := tmpl["Parameters"].(map[string]any)
	for _, m := range []map[string]any{baseParams, over} {
		for k, v := range m {
			p, ok := params[k].(map[string]any)
			if !ok {
				t.Fatalf("no parameter %s", k)
			}
			p["Default"] = v
		}
	}
	return func(name string) bool { return condition(tmpl, name) }
}

// resources returns the template's resources that exist with the parameters: those without a
// condition, and those whose condition holds; by logical id, with their processed properties.
func resources(t *testing.T, over map[string]any) map[string]map[string]any {
	t.Helper()
	raw := processed(t, over)
	on := conditions(t, over)
	out := map[string]map[string]any{}
	for id, r := range raw["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if c, ok := res["Condition"].(string); ok && !on(c) {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		props["!Type"] = res["Type"]
		props["!DeletionPolicy"] = res["DeletionPolicy"]
		out[id] = props
	}
	return out
}

// at returns the value at the path (map keys and list indexes) in v, or nil.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	if s, ok := v.(string); ok {
		return s
	}
	return string(b)
}

// brokenRules returns the names of the template's Rules that the parameters break.
func brokenRules(t *testing.T, over map[string]any) []string {
	t.Helper()
	var broken []string
	for name, r := range processed(t, over)["Rules"].(map[string]any) {
		if cond, ok := at(r, "RuleCondition").(bool); !ok {
			t.Fatalf("rule %s: condition %v is not evaluated", name, at(r, "RuleCondition"))
		} else if !cond {
			continue
		}
		for _, a := range at(r, "Assertions").([]any) {
			ok, isBool := at(a, "Assert").(bool)
			if !isBool {
				t.Fatalf("rule %s: assertion %v is not evaluated", name, at(a, "Assert"))
			}
			if at(a, "AssertDescription") == nil {
				t.Errorf("rule %s has an assertion without a description", name)
			}
			if !ok {
				broken = append(broken, name)
			}
		}
	}
	slices.Sort(broken)
	return broken
}

// TestTemplateRules checks the Rules that cross-check dependent settings: each is broken by
// the mistake it is for, and none by the defaults or a sound configuration.
func TestTemplateRules(t *testing.T) {
	const issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
	for _, c := range []struct {
		name   string
		region string
		over   map[string]any
		want   []string
	}{
		{"defaults", "", map[string]any{"Stage": "demo"}, nil},
		{"issuer and audience", "", map[string]any{"JwtIssuer": issuer, "JwtAudience": "client", "GatewayAuthorizer": "true"}, nil},
		{"issuer without audience", "", map[string]any{"JwtIssuer": issuer}, []string{"IssuerNeedsAudience"}},
		{"audience without issuer", "", map[string]any{"JwtAudience": "client"}, []string{"AudienceNeedsIssuer"}},
		{"jwks without issuer", "", map[string]any{"JwtJwksUrl": "https://keys.example.com"}, []string{"JwksUrlNeedsIssuer"}},
		{"authorizer without issuer", "", map[string]any{"GatewayAuthorizer": "true"}, []string{"AuthorizerNeedsIssuer"}},
		{"edge without origin secret", "", map[string]any{"OriginSecretParameter": ""}, []string{"EdgeNeedsOriginSecret"}},
		{"no edge, no waf", "", map[string]any{"Edge": "false", "Waf": "false", "OriginSecretParameter": ""}, nil},
		{"waf without edge", "", map[string]any{"Edge": "false"}, []string{"WafNeedsEdge"}},
		{"waf outside us-east-1", "eu-west-1", map[string]any{}, []string{"WafOutsideUsEast1NeedsAcl"}},
		{"waf outside us-east-1 with an acl", "eu-west-1", map[string]any{"WebAclArn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1"}, nil},
		{"domain without certificate", "", map[string]any{"DomainName": "api.example.com"}, []string{"DomainNeedsCertificate"}},
		{"domain with zone", "", map[string]any{"DomainName": "api.example.com", "HostedZoneId": "Z123"}, nil},
		{"domain with zone outside us-east-1", "eu-west-1", map[string]any{"DomainName": "api.example.com", "HostedZoneId": "Z123", "Waf": "false"}, []string{"DomainNeedsCertificate"}},
		{"certificate without domain", "", map[string]any{"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"}, []string{"CertificateNeedsDomain"}},
		{"backup copy without backup", "", map[string]any{"Stage": "demo", "BackupCopyVaultArn": "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr"}, []string{"BackupCopyNeedsBackup"}},
		{"backup copy in production", "", map[string]any{"Stage": "prod", "BackupCopyVaultArn": "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.region != "" {
				testRegion = c.region
				defer func() { testRegion = "us-east-1" }()
			}
			if got := brokenRules(t, c.over); !slices.Equal(got, c.want) {
				t.Errorf("broken rules %q, want %q", got, c.want)
			}
		})
	}
}

// TestTemplateAlarms checks the alarms: what each watches, that each tells the topic when it
// goes off and when it clears, the e-mail subscription, and the dashboard that shows them.
func TestTemplateAlarms(t *testing.T) {
	res := resources(t, map[string]any{"Stage": "prod", "P99LatencyMs": 1500, "Error5xxPercent": 3, "AlarmEmail": "ops@example.com"})
	watches := map[string]string{ // alarm -> the metrics it reads
		"Api5xxAlarm":            "AWS/ApiGateway 5xx, AWS/ApiGateway Count",
		"ApiLatencyAlarm":        "AWS/ApiGateway Latency",
		"FunctionErrorsAlarm":    "AWS/Lambda Errors",
		"FunctionThrottlesAlarm": "AWS/Lambda Throttles",
		"TableThrottlesAlarm":    "AWS/DynamoDB ReadThrottleEvents, AWS/DynamoDB WriteThrottleEvents",
		"TableErrorsAlarm":       strings.Repeat("AWS/DynamoDB SystemErrors, ", 6) + "AWS/DynamoDB SystemErrors",
		"WorkerErrorsAlarm":      "AWS/Lambda Errors",
		"AuthErrorsAlarm":        "AWS/Lambda Errors",
		"AuthThrottlesAlarm":     "AWS/Lambda Throttles",
	}
	var alarms []string
	for id, p := range res {
		if p["!Type"] != "AWS::CloudWatch::Alarm" {
			continue
		}
		alarms = append(alarms, id)
		want, ok := watches[id]
		if !ok {
			t.Errorf("alarm %s is not tested", id)
			continue
		}
		var got []string
		if ns, ok := p["Namespace"].(string); ok {
			got = append(got, ns+" "+str(p["MetricName"]))
		}
		for _, m := range list2(p["Metrics"]) {
			if ms := at(m, "MetricStat", "Metric"); ms != nil {
				got = append(got, str(at(ms, "Namespace"))+" "+str(at(ms, "MetricName")))
			}
		}
		if strings.Join(got, ", ") != want {
			t.Errorf("%s watches %q, want %q", id, got, want)
		}
		for _, k := range []string{"AlarmActions", "OKActions"} {
			if str(p[k]) != `["ref:AlarmTopic"]` {
				t.Errorf("%s %s %s, want the alarm topic", id, k, str(p[k]))
			}
		}
		if p["TreatMissingData"] != "notBreaching" {
			t.Errorf("%s: TreatMissingData %v (no traffic is no failure)", id, p["TreatMissingData"])
		}
	}
	if len(alarms) != len(watches) {
		t.Errorf("alarms %v, want %d", alarms, len(watches))
	}
	if p := res["ApiLatencyAlarm"]; str(p["Threshold"]) != "1500" || p["ExtendedStatistic"] != "p99" {
		t.Errorf("latency alarm: %v over %v", p["ExtendedStatistic"], p["Threshold"])
	}
	if p := res["Api5xxAlarm"]; str(p["Threshold"]) != "3" || !strings.Contains(str(at(p, "Metrics", 0, "Expression")), "100 * errors / requests") {
		t.Errorf("5xx alarm: %v over %v", at(p, "Metrics", 0, "Expression"), p["Threshold"])
	}
	if str(at(res["FunctionErrorsAlarm"], "Dimensions")) != `[{"Name":"FunctionName","Value":"ref:Function"},{"Name":"Resource","Value":"ref:Function:live"}]` {
		t.Errorf("the Lambda alarms watch %s, want the alias live", str(at(res["FunctionErrorsAlarm"], "Dimensions")))
	}
	if sub := res["AlarmSubscription"]; sub == nil || sub["Protocol"] != "email" || sub["Endpoint"] != "ops@example.com" || sub["TopicArn"] != "ref:AlarmTopic" {
		t.Errorf("subscription %v", sub)
	}
	if _, ok := resources(t, map[string]any{"Stage": "prod"})["AlarmSubscription"]; ok {
		t.Error("a subscription without AlarmEmail")
	}
	policy := str(res["AlarmTopicPolicy"])
	for _, w := range []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com", "sns:Publish", "aws:SourceAccount"} {
		if !strings.Contains(policy, w) {
			t.Errorf("the topic policy has no %s: %s", w, policy)
		}
	}
	body := str(res["Dashboard"]["DashboardBody"])
	var dash struct{ Widgets []map[string]any }
	if err := json.Unmarshal([]byte(body), &dash); err != nil {
		t.Fatalf("the dashboard's body is not JSON: %v\n%s", err, body)
	}
	for _, w := range append(alarms, "AWS/Lambda", "AWS/ApiGateway", "AWS/DynamoDB", "AWS/CloudFront", `"Pause","Operations"`, `"Pause","Duration"`) {
		if strings.HasSuffix(w, "Alarm") {
			w = "getatt:" + w + ".Arn"
		}
		if !strings.Contains(body, w) {
			t.Errorf("the dashboard does not show %s", w)
		}
	}
}

// list2 returns the list's items but those that AWS::NoValue removed.
func list2(v any) []any {
	l, _ := v.([]any)
	return slices.DeleteFunc(slices.Clone(l), func(x any) bool { return x == nil })
}

// TestTemplateObservability checks the function's tracing and logs, and the API's access logs.
func TestTemplateObservability(t *testing.T) {
	res := resources(t, map[string]any{"Stage": "demo", "LogLevel": "warn", "LogRetentionDays": 14})
	fn := res["Function"]
	if fn["Tracing"] != "Active" {
		t.Errorf("Tracing %v, want Active", fn["Tracing"])
	}
	lc := str(fn["LoggingConfig"])
	if lc != `{"ApplicationLogLevel":"WARN","LogFormat":"JSON","LogGroup":"ref:LogGroup","SystemLogLevel":"INFO"}` {
		t.Errorf("LoggingConfig %s: want JSON, the application level from LogLevel (AWS_LAMBDA_LOG_LEVEL), the function's log group", lc)
	}
	stage := res["ApiStage"]
	if str(at(stage, "AccessLogSettings", "DestinationArn")) != "getatt:AccessLogGroup.Arn" {
		t.Errorf("access logs go to %v", at(stage, "AccessLogSettings", "DestinationArn"))
	}
	var format map[string]string
	if err := json.Unmarshal([]byte(str(at(stage, "AccessLogSettings", "Format"))), &format); err != nil {
		t.Fatalf("the access log format is not JSON: %v", err)
	}
	for k, v := range map[string]string{"requestId": "$context.requestId", "integrationRequestId": "$context.integration.requestId",
		"status": "$context.status", "ip": "$context.identity.sourceIp", "latencyMs": "$context.responseLatency"} {
		if format[k] != v {
			t.Errorf("access log %s = %q, want %q", k, format[k], v)
		}
	}
	for _, lg := range []string{"LogGroup", "AccessLogGroup"} {
		if str(res[lg]["RetentionInDays"]) != "14" {
			t.Errorf("%s retention %v", lg, res[lg]["RetentionInDays"])
		}
	}
}

// TestTemplateDeploys checks the gradual deploys: the type from the parameter, the alarms that
// roll a deploy back, and the commit on the version.
func TestTemplateDeploys(t *testing.T) {
	fn := resources(t, map[string]any{"Stage": "prod", "DeploymentType": "Linear10PercentEvery1Minute", "GitCommit": "0123abc"})["Function"]
	if p := str(fn["DeploymentPreference"]); p != `{"Alarms":["ref:Api5xxAlarm","ref:FunctionErrorsAlarm","ref:FunctionThrottlesAlarm"],"Type":"Linear10PercentEvery1Minute"}` {
		t.Errorf("DeploymentPreference %s", p)
	}
	if fn["AutoPublishAlias"] != "live" || fn["VersionDescription"] != "commit 0123abc" {
		t.Errorf("alias %v, version %v", fn["AutoPublishAlias"], fn["VersionDescription"])
	}
	if at(fn, "Environment", "Variables", "PAUSE_COMMIT") != "0123abc" || at(fn, "Tags", "pause:commit") != "0123abc" {
		t.Errorf("the commit is not in the environment (a new version per commit) and the tags: %v", fn["Environment"])
	}
	tmpl := parseTemplate(t, nil)
	if p := tmpl.Parameters["GitCommit"]; deref(p.AllowedPattern) == "" {
		t.Error("GitCommit takes anything")
	}
}

// TestTemplateEdge checks CloudFront and WAF: the API as the only origin, with the origin
// secret that Pause checks; caching by Pause's own headers; the web ACL's rules; the domain.
func TestTemplateEdge(t *testing.T) {
	res := resources(t, map[string]any{"Stage": "prod", "WafRateLimit": 300, "OriginSecretVersion": 3, "OriginSecretPreviousVersion": 2})
	dist := at(res["Distribution"], "DistributionConfig")
	if dist == nil {
		t.Fatal("no distribution")
	}
	origin := at(dist, "Origins", 0)
	if str(at(origin, "DomainName")) != "ref:Api.execute-api.us-east-1.amazonaws.com" || str(at(origin, "CustomOriginConfig", "OriginProtocolPolicy")) != "https-only" {
		t.Errorf("origin %s", str(origin))
	}
	header := at(origin, "OriginCustomHeaders", 0)
	const current = "{{resolve:ssm:/pause/test/origin-secret:3}}"
	if at(header, "HeaderName") != "X-Pause-Origin-Secret" || at(header, "HeaderValue") != current {
		t.Errorf("origin header %s", str(header))
	}
	env := at(res["Function"], "Environment", "Variables", "PAUSE_ORIGIN_SECRET")
	if env != current+",{{resolve:ssm:/pause/test/origin-secret:2}}" {
		t.Errorf("PAUSE_ORIGIN_SECRET %v: want the value CloudFront sends, and the previous one", env)
	}
	beh := at(dist, "DefaultCacheBehavior")
	if at(beh, "Compress") != true || at(beh, "ViewerProtocolPolicy") != "redirect-to-https" || str(at(beh, "CachedMethods")) != `["GET","HEAD"]` ||
		at(beh, "CachePolicyId") != "ref:CachePolicy" || len(list2(at(beh, "AllowedMethods"))) != 7 {
		t.Errorf("cache behavior %s", str(beh))
	}
	key := at(res["CachePolicy"], "CachePolicyConfig")
	if str(at(key, "DefaultTTL")) != "0" || str(at(key, "MinTTL")) != "0" ||
		str(at(key, "ParametersInCacheKeyAndForwardedToOrigin", "HeadersConfig", "Headers")) != `["Authorization","Accept","Origin"]` ||
		str(at(key, "ParametersInCacheKeyAndForwardedToOrigin", "QueryStringsConfig", "QueryStringBehavior")) != "all" {
		t.Errorf("cache policy %s: want Pause's Cache-Control to decide, keyed by what its answers vary by", str(key))
	}
	if at(dist, "WebACLId") != "getatt:WebAcl.Arn" {
		t.Errorf("WebACLId %v", at(dist, "WebACLId"))
	}
	acl := res["WebAcl"]
	if acl["Scope"] != "CLOUDFRONT" || str(at(acl, "Rules", 0, "Statement", "RateBasedStatement")) != `{"AggregateKeyType":"IP","Limit":300}` ||
		at(acl, "Rules", 1, "Statement", "ManagedRuleGroupStatement", "Name") != "AWSManagedRulesCommonRuleSet" {
		t.Errorf("web ACL %s", str(acl))
	}
	if rules := list2(at(resources(t, map[string]any{"WafManagedRules": "false"})["WebAcl"], "Rules")); len(rules) != 1 {
		t.Errorf("WafManagedRules=false: %d rules, want the rate rule only", len(rules))
	}
	if _, ok := res["Certificate"]; ok {
		t.Error("a certificate without a domain")
	}

	// Outside us-east-1 the web ACL is one given, not created.
	testRegion = "eu-west-1"
	res = resources(t, map[string]any{"WebAclArn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1"})
	testRegion = "us-east-1"
	if _, ok := res["WebAcl"]; ok || at(res["Distribution"], "DistributionConfig", "WebACLId") != "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1" {
		t.Errorf("eu-west-1: web ACL created %v, used %v", ok, at(res["Distribution"], "DistributionConfig", "WebACLId"))
	}

	// A custom domain: the certificate made in the zone, the alias records.
	res = resources(t, map[string]any{"DomainName": "api.example.com", "HostedZoneId": "Z123"})
	dist = at(res["Distribution"], "DistributionConfig")
	if str(at(dist, "Aliases")) != `["api.example.com"]` || at(dist, "ViewerCertificate", "AcmCertificateArn") != "ref:Certificate" ||
		at(dist, "ViewerCertificate", "MinimumProtocolVersion") != "TLSv1.2_2021" {
		t.Errorf("domain: %s", str(dist))
	}
	if at(res["Certificate"], "ValidationMethod") != "DNS" || len(list2(at(res["DomainRecords"], "RecordSets"))) != 2 {
		t.Errorf("certificate %v, records %v", res["Certificate"], res["DomainRecords"])
	}

	// Without the edge: no CloudFront, no secret, the API's own URL.
	res = resources(t, map[string]any{"Edge": "false", "Waf": "false", "OriginSecretParameter": ""})
	for _, id := range []string{"Distribution", "CachePolicy", "WebAcl"} {
		if _, ok := res[id]; ok {
			t.Errorf("Edge=false has %s", id)
		}
	}
	if v := at(res["Function"], "Environment", "Variables", "PAUSE_ORIGIN_SECRET"); v != "" {
		t.Errorf("Edge=false: PAUSE_ORIGIN_SECRET %v", v)
	}
}

// TestTemplateGuardrails checks the cost caps: DynamoDB's on-demand maximum throughput on the
// table and every index, the function's reserved concurrency, the monthly budget.
func TestTemplateGuardrails(t *testing.T) {
	res := resources(t, map[string]any{"Stage": "prod", "MaxReadRequestUnits": 700, "MaxWriteRequestUnits": 80, "ReservedConcurrency": 7, "MonthlyBudget": 42})
	want := `{"MaxReadRequestUnits":700,"MaxWriteRequestUnits":80}`
	table := res["Table"]
	if str(table["OnDemandThroughput"]) != want {
		t.Errorf("table OnDemandThroughput %s, want %s", str(table["OnDemandThroughput"]), want)
	}
	for _, g := range list2(table["GlobalSecondaryIndexes"]) {
		if str(at(g, "OnDemandThroughput")) != want {
			t.Errorf("index %v OnDemandThroughput %s", at(g, "IndexName"), str(at(g, "OnDemandThroughput")))
		}
	}
	if str(res["Function"]["ReservedConcurrentExecutions"]) != "7" {
		t.Errorf("ReservedConcurrentExecutions %v", res["Function"]["ReservedConcurrentExecutions"])
	}
	b := res["Budget"]
	if str(at(b, "Budget", "BudgetLimit")) != `{"Amount":42,"Unit":"USD"}` || str(at(b, "Budget", "CostFilters")) != `{"TagKeyValue":["user:pause:stage$prod"]}` {
		t.Errorf("budget %s", str(b))
	}
	notes := list2(b["NotificationsWithSubscribers"])
	if len(notes) != 2 || str(at(notes[0], "Subscribers")) != `[{"Address":"ref:AlarmTopic","SubscriptionType":"SNS"}]` {
		t.Errorf("budget notifications %s", str(notes))
	}
	res = resources(t, map[string]any{"ReservedConcurrency": 0, "MonthlyBudget": 0})
	if res["Function"]["ReservedConcurrentExecutions"] != nil {
		t.Error("ReservedConcurrency=0 still reserves")
	}
	if _, ok := res["Budget"]; ok {
		t.Error("MonthlyBudget=0 still makes a budget")
	}
	for _, p := range []string{"MaxReadRequestUnits", "MaxWriteRequestUnits", "ReservedConcurrency", "MonthlyBudget"} {
		if parseTemplate(t, nil).Parameters[p].Default == nil {
			t.Errorf("%s has no default", p)
		}
	}
}

// TestTemplateRecovery checks disaster recovery: a named table is adopted; production stages
// get a daily backup plan into a retained vault, with a copy to another vault if asked.
func TestTemplateRecovery(t *testing.T) {
	res := resources(t, map[string]any{"Stage": "prod", "BackupRetentionDays": 10,
		"BackupCopyVaultArn": "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr"})
	if res["BackupVault"]["!DeletionPolicy"] != "Retain" {
		t.Errorf("the vault's DeletionPolicy %v, want Retain (it holds the backups)", res["BackupVault"]["!DeletionPolicy"])
	}
	rule := at(res["BackupPlan"], "BackupPlan", "BackupPlanRule", 0)
	if at(rule, "TargetBackupVault") != "ref:BackupVault" || str(at(rule, "Lifecycle")) != `{"DeleteAfterDays":10}` ||
		str(at(rule, "CopyActions", 0, "DestinationBackupVaultArn")) != "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr" ||
		!strings.HasPrefix(str(at(rule, "ScheduleExpression")), "cron(") {
		t.Errorf("backup rule %s", str(rule))
	}
	sel := at(res["BackupSelection"], "BackupSelection")
	if str(at(sel, "Resources")) != `["getatt:Table.Arn"]` || at(sel, "IamRoleArn") != "getatt:BackupRole.Arn" {
		t.Errorf("backup selection %s", str(sel))
	}
	if at(resources(t, map[string]any{"Stage": "prod"})["BackupPlan"], "BackupPlan", "BackupPlanRule", 0, "CopyActions") != nil {
		t.Error("a copy action without BackupCopyVaultArn")
	}
	for over, want := range map[string]bool{"demo/auto": false, "demo/true": true, "prod/false": false} {
		stage, backup, _ := strings.Cut(over, "/")
		if _, got := resources(t, map[string]any{"Stage": stage, "Backup": backup})["BackupPlan"]; got != want {
			t.Errorf("%s: backup plan %v, want %v", over, got, want)
		}
	}
	if name := resources(t, map[string]any{"Stage": "demo"})["Table"]["TableName"]; name != "pause-demo" {
		t.Errorf("default table name %v", name)
	}

	// A restored table named by TableName replaces the stack's own everywhere; the stack lets
	// go of its own (retained: see TestTemplateTable).
	const restored = "pause-prod-restored"
	const arn = "arn:aws:dynamodb:us-east-1:123456789012:table/" + restored
	res = resources(t, map[string]any{"Stage": "prod", "TableName": restored})
	if _, ok := res["Table"]; ok {
		t.Error("with TableName, the stack still has a table of its own")
	}
	if v := at(res["Function"], "Environment", "Variables", "PAUSE_TABLE"); v != restored {
		t.Errorf("PAUSE_TABLE %v", v)
	}
	policy := str(res["FunctionRole"])
	if !strings.Contains(policy, `"`+arn+`"`) || !strings.Contains(policy, `"`+arn+`/index/*"`) || strings.Contains(policy, "getatt:Table") {
		t.Errorf("the role does not point at the restored table: %s", policy)
	}
	if str(at(res["BackupSelection"], "BackupSelection", "Resources")) != `["`+arn+`"]` {
		t.Errorf("the backups are not of the restored table: %s", str(res["BackupSelection"]))
	}
	for _, id := range []string{"TableThrottlesAlarm", "TableErrorsAlarm"} {
		if m := str(res[id]["Metrics"]); !strings.Contains(m, `"Value":"`+restored+`"`) || strings.Contains(m, "ref:Table") {
			t.Errorf("%s watches %s", id, m)
		}
	}
	if b := str(res["Dashboard"]["DashboardBody"]); !strings.Contains(b, `"TableName","`+restored+`"`) {
		t.Error("the dashboard shows another table")
	}
}
