package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The bounds of the API's settings. A value outside them is refused at start-up, not clamped:
// an operator who typed one zero too many hears of it.
const (
	maxRequestTimeout = 30 * time.Second // API Gateway's HTTP API waits 30 s at most
	minBodyBytes      = 1 << 10          // room for any query the API answers
	maxBodyBytes      = 64 << 20         // far beyond what API Gateway (10 MB) and Lambda (6 MB) pass
	maxCount          = 1_000_000        // of any limit or cache size
	maxKeepRevisions  = 10_000           // of each item: every one is an item in the store
)

// readAPI reads the settings of the API's handler (server.Config), and how many revisions the
// CMS keeps (pause.Config), from the environment. Unset (or empty) leaves a setting at zero,
// which is the default. The first malformed value is kept for Check, so that `pause serve`
// and the Lambda function refuse to start with it.
func (c *Config) readAPI(getenv func(string) string) {
	r := envReader{getenv: getenv}
	c.Introspection = r.boolean("PAUSE_INTROSPECTION")
	c.RequestTimeout = r.duration("PAUSE_REQUEST_TIMEOUT", time.Millisecond, maxRequestTimeout)
	if age, set := r.seconds("PAUSE_CACHE_MAX_AGE"); set {
		c.CacheMaxAge = age
		if age == 0 {
			c.CacheMaxAge = -1 // server.Config's "nothing publicly cacheable"
		}
	}
	c.MaxBodyBytes = int64(r.count("PAUSE_MAX_BODY_BYTES", minBodyBytes, maxBodyBytes))
	if n, set := r.countSet("PAUSE_PERSISTED_QUERIES", 0, maxCount); set {
		c.PersistedQueries = n
		if n == 0 {
			c.PersistedQueries = -1 // server.Config's "APQ off"
		}
	}
	c.PublicCacheSize = r.count("PAUSE_PUBLIC_CACHE_SIZE", 1, maxCount)
	c.KeepRevisions = r.count("PAUSE_KEEP_REVISIONS", 1, maxKeepRevisions)
	c.Limits.MaxTokens = r.count("PAUSE_MAX_TOKENS", 1, maxCount)
	c.Limits.MaxDepth = r.count("PAUSE_MAX_DEPTH", 1, maxCount)
	c.Limits.MaxComplexity = r.count("PAUSE_MAX_COMPLEXITY", 1, maxCount)
	c.Limits.MaxAliases = r.count("PAUSE_MAX_ALIASES", 1, maxCount)
	c.Limits.MaxRootFields = r.count("PAUSE_MAX_ROOT_FIELDS", 1, maxCount)
	c.Limits.MaxDirectives = r.count("PAUSE_MAX_DIRECTIVES", 1, maxCount)
	c.Limits.MaxBatch = r.count("PAUSE_MAX_BATCH", 0, maxCount)
	c.readMedia(&r)
	c.envErr = r.err
}

// envReader reads typed variables and remembers the first malformed one.
type envReader struct {
	getenv func(string) string
	err    error
}

func (r *envReader) get(key string) string { return strings.TrimSpace(r.getenv(key)) }

func (r *envReader) fail(key, want, got string) {
	if r.err == nil {
		r.err = fmt.Errorf("%s must be %s, not %q", key, want, got)
	}
}

// boolean reads true or false; unset is false.
func (r *envReader) boolean(key string) bool {
	switch v := r.get(key); v {
	case "", "false":
		return false
	case "true":
		return true
	default:
		r.fail(key, "true or false", v)
		return false
	}
}

// count reads a whole number from lo to hi; unset is 0.
func (r *envReader) count(key string, lo, hi int) int {
	n, _ := r.countSet(key, lo, hi)
	return n
}

// countSet is count, and whether the variable was set (to a valid value).
func (r *envReader) countSet(key string, lo, hi int) (int, bool) {
	v := r.get(key)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(key, fmt.Sprintf("a whole number from %d to %d", lo, hi), v)
		return 0, false
	}
	return n, true
}

// duration reads a Go duration (500ms, 10s, 1m) from lo to hi; unset is 0.
func (r *envReader) duration(key string, lo, hi time.Duration) time.Duration {
	v := r.get(key)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		r.fail(key, fmt.Sprintf("a duration from %v to %v (e.g. 10s)", lo, hi), v)
		return 0
	}
	return d
}

// seconds reads a whole number of seconds as a Go duration (0, 60s, 5m, 1h), and whether it
// was set (to a valid value).
func (r *envReader) seconds(key string) (time.Duration, bool) {
	v := r.get(key)
	if v == "" {
		return 0, false
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d%time.Second != 0 {
		r.fail(key, "a whole number of seconds as a duration (0, 60s, 5m, 1h)", v)
		return 0, false
	}
	return d, true
}
