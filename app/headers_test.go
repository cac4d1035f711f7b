package app

import (
	"slices"
	"strings"
	"testing"
)

// PAUSE_CORS_HEADERS is a comma-separated list of header names; anything else is refused at
// start, not sent to browsers as a broken preflight.
func TestCORSHeaders(t *testing.T) {
	c := FromEnv(env(map[string]string{"PAUSE_CORS_HEADERS": " X-Tenant,, x-build-id ,"}))
	if got := c.AllowedHeaders(); !slices.Equal(got, []string{"X-Tenant", "x-build-id"}) {
		t.Errorf("AllowedHeaders = %q", got)
	}
	if err := c.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	if got := FromEnv(env(nil)).AllowedHeaders(); len(got) != 0 {
		t.Errorf("unset: %q", got)
	}
	for _, bad := range []string{"X Tenant", "X-Tenant:", "x-a,x(b)", "é-header", "x-a\r\nx-b"} {
		err := FromEnv(env(map[string]string{"PAUSE_CORS_HEADERS": bad})).Check()
		if err == nil || !strings.Contains(err.Error(), "PAUSE_CORS_HEADERS") {
			t.Errorf("PAUSE_CORS_HEADERS=%q: %v, want an error naming the variable", bad, err)
		}
	}
	if err := FromEnv(env(map[string]string{"PAUSE_CORS_HEADERS": "*"})).Check(); err != nil {
		t.Errorf("the wildcard: %v", err)
	}
}
