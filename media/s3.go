package media

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"pause"
)

// S3 keeps the files in a bucket. Browsers upload with a presigned POST (the bytes never pass
// through the function); the rest is five plain REST requests signed with SigV4 by the SDK's
// signer, without the SDK's S3 client: a ranged GET (Peek), a copy and a DELETE (Move,
// Delete), and a PUT (Write, for imports).
type S3 struct {
	Bucket string
	Region string
	// Endpoint is where the bucket is reached, path-style (Endpoint/Bucket/key), for tests;
	// "" is the bucket's virtual-hosted address, https://<bucket>.s3.<region>.amazonaws.com.
	Endpoint    string
	Credentials aws.CredentialsProvider
	// PublicURL is where the public reads the files (a CloudFront distribution that serves
	// media/* from the bucket).
	PublicURL string
	// Client sends the requests; http.DefaultClient when nil.
	Client *http.Client
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (s *S3) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// base is the URL of the bucket, without a trailing slash.
func (s *S3) base() string {
	if s.Endpoint != "" {
		return strings.TrimRight(s.Endpoint, "/") + "/" + s.Bucket
	}
	return "https://" + s.Bucket + ".s3." + s.Region + ".amazonaws.com"
}

// signingKey is SigV4's key of the date, region and service (AWS4 + secret, then an HMAC
// chain): the same derivation the SDK's signer does for requests, which it does not export.
func signingKey(secret, date, region, service string) []byte {
	k := []byte("AWS4" + secret)
	for _, part := range []string{date, region, service, "aws4_request"} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(part))
		k = m.Sum(nil)
	}
	return k
}

// PostSignature is the signature of a POST policy: hex HMAC-SHA256 of the base64 policy with
// the signing key of the date.
func PostSignature(secret, date, region, encodedPolicy string) string {
	m := hmac.New(sha256.New, signingKey(secret, date, region, "s3"))
	m.Write([]byte(encodedPolicy))
	return hex.EncodeToString(m.Sum(nil))
}

// UploadForm returns a presigned POST: the policy fixes the bucket, the key, the content
// type, the length range and the expiry, and carries the credentials' session token (a
// function's role credentials are temporary, and S3 refuses their signature without it).
func (s *S3) UploadForm(ctx context.Context, u pause.Upload) (string, []pause.FormField, error) {
	creds, err := s.Credentials.Retrieve(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("media: credentials: %w", err)
	}
	now := s.now()
	date, stamp := now.Format("20060102"), now.Format("20060102T150405Z")
	credential := creds.AccessKeyID + "/" + date + "/" + s.Region + "/s3/aws4_request"
	amz := [][2]string{{"bucket", s.Bucket}, {"x-amz-algorithm", "AWS4-HMAC-SHA256"},
		{"x-amz-credential", credential}, {"x-amz-date", stamp}}
	if creds.SessionToken != "" {
		amz = append(amz, [2]string{"x-amz-security-token", creds.SessionToken})
	}
	p := newPolicy(u, amz...).encode()
	fields := []pause.FormField{
		{Name: "key", Value: u.Key}, {Name: "Content-Type", Value: u.ContentType},
		{Name: "success_action_status", Value: "201"},
	}
	for _, a := range amz[1:] {
		fields = append(fields, pause.FormField{Name: a[0], Value: a[1]})
	}
	fields = append(fields, pause.FormField{Name: "policy", Value: p},
		pause.FormField{Name: "x-amz-signature", Value: PostSignature(creds.SecretAccessKey, date, s.Region, p)})
	return s.base() + "/", fields, nil
}

// emptySHA256 is the hash of an empty payload: every request here but Write's has none.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// do sends a signed request without a body, and returns the answer, whose body the caller
// closes.
func (s *S3) do(ctx context.Context, method, key string, header http.Header) (*http.Response, error) {
	return s.send(ctx, method, key, header, nil)
}

// send sends a signed request with the body (nil for none), whose SHA-256 the signature
// covers, and returns the answer, whose body the caller closes.
func (s *S3) send(ctx context.Context, method, key string, header http.Header, body []byte) (*http.Response, error) {
	var r io.Reader
	payload := emptySHA256
	if body != nil {
		r = bytes.NewReader(body)
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base()+"/"+key, r)
	if err != nil {
		return nil, fmt.Errorf("media: s3 %s %s: %w", method, key, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds, err := s.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("media: credentials: %w", err)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(ctx, creds, req, payload, "s3", s.Region, s.now()); err != nil {
		return nil, fmt.Errorf("media: sign s3 %s %s: %w", method, key, err)
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("media: s3 %s %s: %w", method, key, err)
	}
	return resp, nil
}

// failed returns the error of an answer S3 did not expect: its status and the start of its
// body (S3's XML error), for the operators' log.
func failed(resp *http.Response, what string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("media: s3 %s: HTTP %d: %s", what, resp.StatusCode, strings.TrimSpace(string(body)))
}

// Peek reads the first n bytes with one ranged GET; the object's size is in Content-Range.
func (s *S3) Peek(ctx context.Context, key string, n int) (int64, []byte, error) {
	resp, err := s.do(ctx, http.MethodGet, key, http.Header{"Range": {"bytes=0-" + strconv.Itoa(n-1)}})
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusForbidden: // without s3:ListBucket, a missing key is 403
		return 0, nil, pause.Errorf(pause.ENOTFOUND, "No file has this key.")
	case http.StatusRequestedRangeNotSatisfiable: // an empty object
		return 0, []byte{}, nil
	case http.StatusOK, http.StatusPartialContent:
	default:
		return 0, nil, failed(resp, "get "+key)
	}
	head, err := io.ReadAll(io.LimitReader(resp.Body, int64(n)))
	if err != nil {
		return 0, nil, fmt.Errorf("media: s3 get %s: %w", key, err)
	}
	size := int64(len(head))
	if cr := resp.Header.Get("Content-Range"); cr != "" {
		_, total, ok := strings.Cut(cr, "/")
		if size, err = strconv.ParseInt(total, 10, 64); !ok || err != nil {
			return 0, nil, fmt.Errorf("media: s3 get %s: Content-Range %q", key, cr)
		}
	}
	return size, head, nil
}

// Move copies the object to its new key with the content type and immutable caching, then
// deletes the old one. A copy can fail after its 200 (an Error element in the body), so
// the body is read.
func (s *S3) Move(ctx context.Context, from, to, contentType string) error {
	resp, err := s.do(ctx, http.MethodPut, to, http.Header{
		"X-Amz-Copy-Source":        {"/" + s.Bucket + "/" + from},
		"X-Amz-Metadata-Directive": {"REPLACE"},
		"Content-Type":             {contentType},
		"Cache-Control":            {"public, max-age=31536000, immutable"},
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return fmt.Errorf("media: s3 copy %s: %w", from, err)
	}
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "<Error>") {
		return fmt.Errorf("media: s3 copy %s to %s: HTTP %d: %s", from, to, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return s.Delete(ctx, from)
}

// Write puts the object with one signed PUT whose signature covers the body's SHA-256 (so
// the body is read whole first: an image of the library is at most a few MiB), with the
// content type and immutable caching, as Move leaves a completed upload.
func (s *S3) Write(ctx context.Context, key, contentType string, r io.Reader, size int64) error {
	body, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return fmt.Errorf("media: s3 put %s: %w", key, err)
	}
	if int64(len(body)) != size {
		return fmt.Errorf("media: s3 put %s: %d bytes, not %d", key, len(body), size)
	}
	resp, err := s.send(ctx, http.MethodPut, key, http.Header{
		"Content-Type":  {contentType},
		"Cache-Control": {"public, max-age=31536000, immutable"},
	}, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return failed(resp, "put "+key)
	}
	return nil
}

// Delete deletes the object; S3 answers 204 whether it existed or not.
func (s *S3) Delete(ctx context.Context, key string) error {
	resp, err := s.do(ctx, http.MethodDelete, key, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return failed(resp, "delete "+key)
	}
	return nil
}

// URL returns the file's public address.
func (s *S3) URL(key string) string { return strings.TrimRight(s.PublicURL, "/") + "/" + key }
