package bolt

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/ids"
	"pause/markdown"
	"pause/storetest"
)

// crashFile names the store file of the child process of TestFeedSurvivesKill.
const crashFile = "PAUSE_TEST_BOLT_CRASH_FILE"

// TestFeedSurvivesKill kills (SIGKILL) a process in the middle of a stream of writes, and
// checks the file it leaves: no event without its write, no write without its event, and
// every write the child was told had committed is there.
func TestFeedSurvivesKill(t *testing.T) {
	if os.Getenv(crashFile) != "" {
		t.Skip("the child")
	}
	path := filepath.Join(t.TempDir(), "pause.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestFeedCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashFile+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]int{} // id → the last version acknowledged
	lines := bufio.NewScanner(out)
	n := 0
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) != 3 || f[0] != "ack" {
			continue
		}
		v, _ := strconv.Atoi(f[2])
		acked[f[1]] = v
		if n++; n == 60 {
			break
		}
	}
	if n < 60 {
		_ = cmd.Wait()
		t.Fatalf("the child stopped after %d writes", n)
	}
	// Kill it while it writes: it writes without pause.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() { // what it acknowledged before it died
		if f := strings.Fields(lines.Text()); len(f) == 3 && f[0] == "ack" {
			v, _ := strconv.Atoi(f[2])
			acked[f[1]] = v
			n++
		}
	}
	_ = cmd.Wait()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := storetest.CheckFeed(context.Background(), db.Stores(), acked); err != nil {
		t.Fatal(err)
	}
	g, _ := db.Stores().Events.Generation(context.Background())
	t.Logf("killed after %d acknowledged writes; the file holds %d events, each with its write", n, g)
}

// TestFeedCrashChild is the child of TestFeedSurvivesKill: it creates and updates tools
// until it is killed, printing each write it was told had committed.
func TestFeedCrashChild(t *testing.T) {
	path := os.Getenv(crashFile)
	if path == "" {
		t.Skip("run by TestFeedSurvivesKill")
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	ctx := pause.NewContext(context.Background(), &pause.Viewer{Subject: "crash", Role: pause.RoleEditor})
	w := bufio.NewWriter(os.Stdout)
	deadline := time.Now().Add(2 * time.Minute)
	for i := 0; time.Now().Before(deadline); i++ {
		name, url, cat, price := fmt.Sprintf("Tool %d", i), "https://example.com", "Chat", pause.PricingFree
		tool, err := cms.Tools.Create(ctx, pause.ToolInput{Name: &name, WebsiteURL: &url, Category: &cat, Pricing: &price})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "ack %s %d\n", tool.ID, tool.Version)
		w.Flush()
		for j := range 3 {
			tagline := fmt.Sprintf("Edit %d", j)
			if tool, err = cms.Tools.Update(ctx, tool.ID, tool.Version, pause.ToolInput{Tagline: &tagline}); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "ack %s %d\n", tool.ID, tool.Version)
			w.Flush()
		}
	}
}
