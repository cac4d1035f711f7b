package dynamo

import (
	"testing"

	"pause"
	"pause/storetest"
)

// TestConformance runs the suite that every pause.Stores must pass, each case on a fresh table.
func TestConformance(t *testing.T) {
	testEndpoint(t)
	storetest.Run(t, func(t *testing.T) pause.Stores {
		s, _, _ := openTestTable(t)
		return s.Stores()
	})
}
