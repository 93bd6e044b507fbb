package rotate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestLossReportFlapping: writing that flaps between failing and working
// is reported at most once per interval each way, and the lines lost in
// between are reported once a report is due, none forgotten.
func TestLossReportFlapping(t *testing.T) {
	var reports []string
	r := lossReport{target: "|prog", interval: time.Minute, errorLog: func(err error) { reports = append(reports, err.Error()) }}
	full := errors.New("piped log buffer full")
	now := t0
	for range 50 { // 50 flaps within one second
		r.lost(now, full)
		r.lost(now, full)
		r.ok(now)
		now = now.Add(20 * time.Millisecond)
	}
	if len(reports) != 2 || !strings.Contains(reports[0], "1 lines could not be written") ||
		!strings.Contains(reports[1], "works again; 1 more lines were lost") {
		t.Fatalf("reports while flapping: %q; want the first loss and the first recovery", reports)
	}
	// 98 lines were lost after those two reports; a write after the
	// interval reports them.
	now = now.Add(time.Minute)
	r.ok(now)
	if len(reports) != 3 || !strings.Contains(reports[2], "works again; 98 more lines were lost") {
		t.Fatalf("report after the interval: %q", reports)
	}
	r.ok(now.Add(time.Second))
	if len(reports) != 3 {
		t.Fatalf("a report with nothing to report: %q", reports[3:])
	}
}
