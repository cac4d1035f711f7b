package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"pause"
	"pause/internal/browsertest"
)

// publicOrder returns the titles of the benefits in the order the public sees them.
func (r *rig) publicOrder() []string {
	r.t.Helper()
	var out []string
	for _, n := range r.graphql(`{ benefits(first: 50) { nodes { title } } }`, nil)["benefits"].(map[string]any)["nodes"].([]any) {
		out = append(out, n.(map[string]any)["title"].(string))
	}
	return out
}

// center returns the middle of the element with the role and name, in the viewport.
func (p *page) center(r, name string) (float64, float64) {
	p.t.Helper()
	var x, y float64
	p.do("find "+name, chromedp.ScrollIntoView(name, role(r, name)), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(name, role(r, name)))
		if err != nil {
			return err
		}
		box, err := cdp.Call(ctx, t, dom.GetBoxModel, dom.GetBoxModelParams{NodeID: nodes[0].NodeID})
		if err != nil {
			return err
		}
		q := box.Model.Content
		x, y = (q[0]+q[2]+q[4]+q[6])/4, (q[1]+q[3]+q[5]+q[7])/4
		return nil
	}))
	return x, y
}

// TestBenefitOrder: the benefits' page order changes by mouse (drag the third to the top) and
// by keyboard alone (Space, arrows, Space; Escape cancels), with announcements; each order is
// saved, and the public order follows.
func TestBenefitOrder(t *testing.T) {
	r := newRig(t)
	r.enrol("ed@example.com", pause.RoleEditor)
	order := r.publicOrder()
	if len(order) < 4 {
		t.Fatalf("the sample has %d benefits", len(order))
	}
	p := r.open(browsertest.Browser(t))
	p.signIn("ed@example.com")
	p.click("link", "Benefits", browsertest.Within("navigation", "Content"))
	p.see("region", "Page order")
	p.accessible("the benefits' page order")

	// The mouse: the third benefit's handle, dragged onto the first.
	x, y := p.center("button", "Reorder "+order[2])
	_, toY := p.center("button", "Reorder "+order[0])
	p.do("drag", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, (y+toY)/2, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, toY, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x, toY, chromedp.ButtonLeft))
	want := append([]string{order[2], order[0], order[1]}, order[3:]...)
	p.status(fmt.Sprintf("%s moved to position 1 of %d. The order is saved.", order[2], len(order)))
	if got := r.publicOrder(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after the drag the public order is %q, want %q", got, want)
	}

	// The keyboard: the last benefit up twice.
	last := want[len(want)-1]
	p.do("focus the handle", chromedp.Focus("handle", role("button", "Reorder "+last)))
	key := func(k string) { p.do("press "+k, chromedp.KeyEvent(k)) }
	key(" ")
	p.status("lifted, position " + fmt.Sprint(len(want)) + " of")
	key(kb.ArrowUp)
	key(kb.ArrowUp)
	key(" ")
	p.status(fmt.Sprintf("%s moved to position %d of %d. The order is saved.", last, len(want)-2, len(want)))
	want = append(append(append([]string{}, want[:len(want)-3]...), last), want[len(want)-3:len(want)-1]...)
	if got := r.publicOrder(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after the keyboard move the public order is %q, want %q", got, want)
	}
	focused, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("aria-label")`))
	if focused != "Reorder "+last {
		t.Errorf("after the move the focus is on %q", focused)
	}

	// Escape cancels a move: nothing is saved.
	key(" ")
	key(kb.ArrowDown)
	key(kb.Escape)
	p.status("Move cancelled: " + last)
	time.Sleep(200 * time.Millisecond)
	if got := r.publicOrder(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after Escape the public order is %q, want %q", got, want)
	}
	p.noProblems()
}
