// Package media keeps the media library's files: on local disk (Disk, with its own upload
// endpoint and file server) or in an S3 bucket (S3, with browser uploads by presigned POST).
// Both are pause.Blobs, and both check an upload against the same kind of POST policy: the
// exact key, the exact content type, a content-length-range and an expiry, signed (with
// SigV4 for S3, with an HMAC of the server's secret on disk).
//
// It imports pause, the standard library and, for S3, the AWS SDK's request signer (which the
// Lambda function links already for SSM): no S3 client.
package media

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"pause"
)

// policyTime is how POST policies spell their expiration.
const policyTime = "2006-01-02T15:04:05.000Z"

// policy is a POST policy document, as S3 reads it.
type policy struct {
	Expiration string `json:"expiration"`
	Conditions []any  `json:"conditions"`
}

// newPolicy returns the policy of the upload: the exact key and content type, the length
// range, the status of the answer, and the extra exact conditions (bucket, credentials), in
// order.
func newPolicy(u pause.Upload, extra ...[2]string) policy {
	p := policy{Expiration: u.Expires.UTC().Format(policyTime)}
	for _, e := range extra {
		p.Conditions = append(p.Conditions, map[string]string{e[0]: e[1]})
	}
	p.Conditions = append(p.Conditions,
		map[string]string{"key": u.Key},
		map[string]string{"Content-Type": u.ContentType},
		[]any{"content-length-range", 1, u.MaxBytes},
		map[string]string{"success_action_status": "201"},
	)
	return p
}

// encode returns the policy as the form carries it: base64 of its JSON.
func (p policy) encode() string {
	b, _ := json.Marshal(p) // strings, numbers, maps and slices of them: never fails
	return base64.StdEncoding.EncodeToString(b)
}

// PolicyError is an upload that its policy does not allow. Status is the HTTP status S3
// answers with: 403 for a condition, an expiry or a signature, 400 for a size.
type PolicyError struct {
	Status  int
	Code    string // S3's error code: AccessDenied, EntityTooLarge, EntityTooSmall
	Message string
}

func (e *PolicyError) Error() string { return e.Code + ": " + e.Message }

func denied(format string, args ...any) *PolicyError {
	return &PolicyError{Status: 403, Code: "AccessDenied", Message: fmt.Sprintf(format, args...)}
}

// Check checks a form against the base64 policy the way S3 does: the policy has not expired
// at now; every condition holds for the form's fields (field names are matched ignoring
// case), and the file's size is in the content-length-range; and every field of the form but
// the policy, the signature, the file and x-ignore-* is named by a condition. It returns a
// *PolicyError, and the policy's content-length-range maximum (for a file not read yet, size
// -1 skips the length check).
func Check(encoded string, form map[string]string, size int64, now time.Time) (maxBytes int64, err error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return 0, denied("The policy is not base64.")
	}
	var p struct {
		Expiration string            `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return 0, denied("The policy is not a JSON policy document.")
	}
	exp, err := time.Parse(policyTime, p.Expiration)
	if err != nil {
		if exp, err = time.Parse(time.RFC3339, p.Expiration); err != nil {
			return 0, denied("The policy has no valid expiration.")
		}
	}
	if !now.Before(exp) {
		return 0, denied("Invalid according to Policy: Policy expired.")
	}
	fields := map[string]string{}
	for k, v := range form {
		fields[strings.ToLower(k)] = v
	}
	named := map[string]bool{}
	maxBytes = -1
	for _, c := range p.Conditions {
		var exact map[string]string
		if json.Unmarshal(c, &exact) == nil {
			for k, v := range exact {
				k = strings.ToLower(k)
				named[k] = true
				if got, ok := fields[k]; !ok || got != v {
					return 0, denied("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$%s\", %q]", k, v)
				}
			}
			continue
		}
		var list []json.RawMessage
		if json.Unmarshal(c, &list) != nil || len(list) != 3 {
			return 0, denied("The policy has a condition that is neither an object nor a list of three.")
		}
		var op string
		_ = json.Unmarshal(list[0], &op)
		switch strings.ToLower(op) {
		case "content-length-range":
			lo, err1 := strconv.ParseInt(string(list[1]), 10, 64)
			hi, err2 := strconv.ParseInt(string(list[2]), 10, 64)
			if err1 != nil || err2 != nil {
				return 0, denied("The policy's content-length-range is not two integers.")
			}
			maxBytes = hi
			if size >= 0 && size < lo {
				return 0, &PolicyError{Status: 400, Code: "EntityTooSmall", Message: "Your proposed upload is smaller than the minimum allowed size."}
			}
			if size > hi {
				return 0, &PolicyError{Status: 400, Code: "EntityTooLarge", Message: "Your proposed upload exceeds the maximum allowed size."}
			}
		case "eq", "starts-with":
			var name, want string
			if json.Unmarshal(list[1], &name) != nil || json.Unmarshal(list[2], &want) != nil || !strings.HasPrefix(name, "$") {
				return 0, denied("The policy has a malformed %s condition.", op)
			}
			k := strings.ToLower(name[1:])
			named[k] = true
			got := fields[k]
			if (op == "eq" && got != want) || (op == "starts-with" && !strings.HasPrefix(got, want)) {
				return 0, denied("Invalid according to Policy: Policy Condition failed: [%q, %q, %q]", op, name, want)
			}
		default:
			return 0, denied("The policy has an unknown condition %q.", op)
		}
	}
	for k := range fields {
		switch {
		case k == "policy" || k == "x-amz-signature" || k == "signature" || k == "file" || strings.HasPrefix(k, "x-ignore-"):
		case !named[k]:
			return 0, denied("Invalid according to Policy: Extra input fields: %s", k)
		}
	}
	return maxBytes, nil
}
