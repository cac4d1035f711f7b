package media_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"pause/media"
)

// fakeS3 is an S3 bucket as far as the S3 backend uses one, checking what S3 checks: a POST's
// policy (its signature with the credentials' secret, the session token of temporary
// credentials, expiry, exact conditions, no extra field, the length range), and the SigV4
// signature of every other request, whose payload hash must be the body's. It answers as S3 does (status and error code).
type fakeS3 struct {
	t                     *testing.T
	bucket, region        string
	id, secret, token     string
	now                   func() time.Time
	mu                    sync.Mutex
	objects               map[string]object
	posts, refusedPosts   int
	signedRequests, fails int
	puts                  int
}

type object struct {
	data                      []byte
	contentType, cacheControl string
}

func (f *fakeS3) get(key string) (object, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	return o, ok
}

func s3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, message)
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/"+f.bucket+"/")
	if !ok {
		s3Error(w, 404, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	if r.Method == http.MethodPost && rest == "" {
		f.post(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		s3Error(w, 400, "IncompleteBody", "The request body terminated unexpectedly")
		return
	}
	if !f.verify(w, r, body) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		o, ok := f.objects[rest]
		if !ok {
			s3Error(w, 403, "AccessDenied", "Access Denied") // no s3:ListBucket: a missing key is 403
			return
		}
		var lo, hi int
		if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &lo, &hi); err != nil || lo != 0 {
			f.t.Errorf("fake S3: GET %s with Range %q", rest, r.Header.Get("Range"))
		}
		if len(o.data) == 0 {
			s3Error(w, 416, "InvalidRange", "The requested range is not satisfiable")
			return
		}
		hi = min(hi, len(o.data)-1)
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", hi, len(o.data)))
		w.Header().Set("Content-Type", o.contentType)
		w.WriteHeader(http.StatusPartialContent)
		_, _ = w.Write(o.data[:hi+1])
	case http.MethodPut:
		src := r.Header.Get("X-Amz-Copy-Source")
		if src == "" { // PutObject
			if r.ContentLength != int64(len(body)) {
				s3Error(w, 400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
				return
			}
			f.objects[rest] = object{data: body, contentType: r.Header.Get("Content-Type"), cacheControl: r.Header.Get("Cache-Control")}
			f.puts++
			w.Header().Set("ETag", `"x"`)
			return
		}
		from, ok := strings.CutPrefix(src, "/"+f.bucket+"/")
		o, found := f.objects[from]
		if !ok || !found {
			s3Error(w, 404, "NoSuchKey", "The specified key does not exist.")
			return
		}
		if r.Header.Get("X-Amz-Metadata-Directive") == "REPLACE" {
			o.contentType, o.cacheControl = r.Header.Get("Content-Type"), r.Header.Get("Cache-Control")
		}
		f.objects[rest] = o
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>"x"</ETag></CopyObjectResult>`)
	case http.MethodDelete:
		delete(f.objects, rest)
		w.WriteHeader(http.StatusNoContent)
	default:
		s3Error(w, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
}

// verify checks the request's SigV4 signature by signing the same request (its signed headers
// only) again with the secret, and its session token.
func (f *fakeS3) verify(w http.ResponseWriter, r *http.Request, body []byte) bool {
	deny := func(code, why string) bool {
		f.mu.Lock()
		f.fails++
		f.mu.Unlock()
		f.t.Logf("fake S3: %s %s refused: %s", r.Method, r.URL.Path, why)
		s3Error(w, 403, code, why)
		return false
	}
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return deny("AccessDenied", "no SigV4 Authorization")
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || at.Sub(f.now()).Abs() > 15*time.Minute {
		return deny("RequestTimeTooSkewed", "X-Amz-Date is missing or too far from now")
	}
	if parts["Credential"] != f.id+"/"+at.Format("20060102")+"/"+f.region+"/s3/aws4_request" {
		return deny("InvalidAccessKeyId", "credential "+parts["Credential"])
	}
	if f.token != "" && r.Header.Get("X-Amz-Security-Token") != f.token {
		return deny("InvalidToken", "The provided token is malformed or otherwise invalid.")
	}
	if sum := sha256.Sum256(body); r.Header.Get("X-Amz-Content-Sha256") != hex.EncodeToString(sum[:]) {
		return deny("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	again, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	for _, h := range strings.Split(parts["SignedHeaders"], ";") {
		if h != "host" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	again.Header.Del("Authorization")
	again.ContentLength = r.ContentLength // a signed content-length header is the request's
	creds := aws.Credentials{AccessKeyID: f.id, SecretAccessKey: f.secret, SessionToken: f.token}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), creds, again, r.Header.Get("X-Amz-Content-Sha256"), "s3", f.region, at); err != nil {
		return deny("AccessDenied", err.Error())
	}
	want := again.Header.Get("Authorization")
	if !hmac.Equal([]byte(want[strings.LastIndex(want, "Signature=")+10:]), []byte(parts["Signature"])) {
		return deny("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	}
	f.mu.Lock()
	f.signedRequests++
	f.mu.Unlock()
	return true
}

// post is S3's POST Object: the form's fields up to the file, then the file.
func (f *fakeS3) post(w http.ResponseWriter, r *http.Request) {
	refuse := func(status int, code, message string) {
		f.mu.Lock()
		f.refusedPosts++
		f.mu.Unlock()
		s3Error(w, status, code, message)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		refuse(412, "PreconditionFailed", "Bucket POST must be of the enclosure-type multipart/form-data")
		return
	}
	form := map[string]string{}
	var file []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			refuse(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
			return
		}
		if part.FormName() == "file" {
			file, err = io.ReadAll(io.LimitReader(part, 64<<20))
			if err != nil {
				refuse(400, "IncompleteBody", "The request body terminated unexpectedly")
				return
			}
			break // S3 ignores what follows the file
		}
		v, _ := io.ReadAll(part)
		form[strings.ToLower(part.FormName())] = string(v)
	}
	if file == nil {
		refuse(400, "InvalidArgument", "POST requires exactly one file upload per request.")
		return
	}
	if form["x-amz-algorithm"] != "AWS4-HMAC-SHA256" {
		refuse(400, "InvalidArgument", "x-amz-algorithm must be AWS4-HMAC-SHA256")
		return
	}
	cred := strings.Split(form["x-amz-credential"], "/")
	if len(cred) != 5 || cred[0] != f.id || cred[2] != f.region || cred[3] != "s3" || cred[4] != "aws4_request" {
		refuse(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		return
	}
	if f.token != "" && form["x-amz-security-token"] != f.token {
		refuse(403, "InvalidToken", "The provided token is malformed or otherwise invalid.")
		return
	}
	m := hmac.New(sha256.New, signingKeyForTest(f.secret, cred[1], f.region))
	m.Write([]byte(form["policy"]))
	if !hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(form["x-amz-signature"])) {
		refuse(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	form["bucket"] = f.bucket
	if _, err := media.Check(form["policy"], form, int64(len(file)), f.now()); err != nil {
		var perr *media.PolicyError
		if pe, ok := err.(*media.PolicyError); ok {
			perr = pe
		}
		refuse(perr.Status, perr.Code, perr.Message)
		return
	}
	f.mu.Lock()
	f.objects[form["key"]] = object{data: file, contentType: form["content-type"]}
	f.posts++
	f.mu.Unlock()
	status, _ := strconv.Atoi(form["success_action_status"])
	if status != 201 && status != 200 {
		status = 204
	}
	w.WriteHeader(status)
	if status == 201 {
		fmt.Fprintf(w, "<PostResponse><Bucket>%s</Bucket><Key>%s</Key></PostResponse>", f.bucket, form["key"])
	}
}

// signingKeyForTest derives SigV4's signing key as AWS's documentation spells it, apart from
// the backend's own code.
func signingKeyForTest(secret, date, region string) []byte {
	h := func(key []byte, data string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(data))
		return m.Sum(nil)
	}
	return h(h(h(h([]byte("AWS4"+secret), date), region), "s3"), "aws4_request")
}
