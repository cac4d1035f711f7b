// Package infra holds Pause's deployment to AWS: template.yaml (API Gateway HTTP API, the
// Lambda function, the DynamoDB table, least-privilege IAM), deploy.sh and destroy.sh, and the
// tests that check the template against the code (template_test.go). As Go code it has only
// what packaging needs: Zip, which makes the function's deployment package (used by
// `make lambda` through infra/lambdazip).
package infra

import (
	"archive/zip"
	"fmt"
	"io"
	"time"
)

// Handler is the executable a provided.al2023 function runs: the bootstrap at the root of the
// deployment package. The template's Handler names it too.
const Handler = "bootstrap"

// zipTime is the modification time of every packaged file: fixed, so that the same bootstrap
// makes the same zip, byte for byte, and `aws cloudformation package` (which names uploads by
// their MD5) uploads, and SAM publishes, a new version only when the code changed.
var zipTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Zip writes a deployment package to w: one executable file, Handler, with the content of
// bootstrap.
func Zip(w io.Writer, bootstrap io.Reader) error {
	zw := zip.NewWriter(w)
	h := &zip.FileHeader{Name: Handler, Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	f, err := zw.CreateHeader(h)
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	if _, err := io.Copy(f, bootstrap); err != nil {
		return fmt.Errorf("zip %s: %w", Handler, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	return nil
}
