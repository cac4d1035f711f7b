package infra

import (
	"strings"
	"testing"
)

// TestTemplateMedia checks the media library's storage (issue 15): a private bucket whose
// pending/ uploads expire and are never served, posts from the studio's origin only, and a
// distribution that alone reads media/, with headers that keep files from running as pages.
func TestTemplateMedia(t *testing.T) {
	res := resources(t, map[string]any{"Stage": "demo", "DomainName": "cms.example.com", "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"})
	b := res["MediaBucket"]
	if b == nil {
		t.Fatal("no MediaBucket")
	}
	name := "pause-demo-media-123456789012-us-east-1"
	if b["BucketName"] != name {
		t.Errorf("bucket %v, want %s (the name the function is given)", b["BucketName"], name)
	}
	if got := str(b["PublicAccessBlockConfiguration"]); got != `{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}` {
		t.Errorf("public access block %s", got)
	}
	if got := str(at(b, "BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault", "SSEAlgorithm")); got != "AES256" {
		t.Errorf("encryption %q", got)
	}
	cors := at(b, "CorsConfiguration", "CorsRules")
	if got := str(cors); got != `[{"AllowedHeaders":["*"],"AllowedMethods":["POST"],"AllowedOrigins":["https://cms.example.com"],"MaxAge":3600}]` {
		t.Errorf("CORS %s: POST from the studio's origin only", got)
	}
	rule := at(b, "LifecycleConfiguration", "Rules", 0)
	if at(rule, "Prefix") != "pending/" || str(at(rule, "ExpirationInDays")) != "1" || at(rule, "Status") != "Enabled" {
		t.Errorf("lifecycle %s: abandoned uploads under pending/ must expire", str(rule))
	}

	stmts := list2(at(res["MediaBucketPolicy"], "PolicyDocument", "Statement"))
	var reads []string
	for _, s := range stmts {
		if at(s, "Effect") == "Allow" {
			reads = append(reads, str(at(s, "Principal"))+" "+str(at(s, "Action"))+" "+str(at(s, "Resource"))+" "+str(at(s, "Condition")))
		}
	}
	if len(reads) != 1 || !strings.Contains(reads[0], `{"Service":"cloudfront.amazonaws.com"} s3:GetObject getatt:MediaBucket.Arn/media/*`) ||
		!strings.Contains(reads[0], "distribution/ref:MediaDistribution") {
		t.Errorf("the bucket policy allows %q: want CloudFront's GetObject on media/* for the media distribution only", reads)
	}

	d := at(res["MediaDistribution"], "DistributionConfig")
	origin := at(d, "Origins", 0)
	if at(origin, "DomainName") != name+".s3.us-east-1.amazonaws.com" || at(origin, "OriginAccessControlId") != "getatt:MediaOriginAccess.Id" {
		t.Errorf("origin %s: the bucket through origin access control", str(origin))
	}
	if got := str(at(d, "DefaultCacheBehavior", "AllowedMethods")); got != `["GET","HEAD"]` {
		t.Errorf("the media distribution allows %s", got)
	}
	h := at(res["MediaHeaders"], "ResponseHeadersPolicyConfig")
	if at(h, "SecurityHeadersConfig", "ContentTypeOptions", "Override") != true ||
		at(h, "SecurityHeadersConfig", "ContentSecurityPolicy", "ContentSecurityPolicy") != "sandbox" ||
		!strings.Contains(str(at(h, "CustomHeadersConfig")), "immutable") {
		t.Errorf("media headers %s: want nosniff, a sandbox CSP and immutable caching", str(h))
	}

	env := at(res["Function"], "Environment", "Variables")
	if at(env, "PAUSE_MEDIA_BUCKET") != name || at(env, "PAUSE_MEDIA_URL") != "https://getatt:MediaDistribution.DomainName" {
		t.Errorf("function: PAUSE_MEDIA_BUCKET %v, PAUSE_MEDIA_URL %v", at(env, "PAUSE_MEDIA_BUCKET"), at(env, "PAUSE_MEDIA_URL"))
	}

	// Off, nothing of it is made and the function has no media library.
	off := resources(t, map[string]any{"Stage": "demo", "MediaLibrary": "false"})
	for _, id := range []string{"MediaBucket", "MediaBucketPolicy", "MediaOriginAccess", "MediaHeaders", "MediaDistribution"} {
		if off[id] != nil {
			t.Errorf("MediaLibrary=false still makes %s", id)
		}
	}
	if v := at(off["Function"], "Environment", "Variables", "PAUSE_MEDIA_BUCKET"); v != "" {
		t.Errorf("MediaLibrary=false: PAUSE_MEDIA_BUCKET %v", v)
	}
}
