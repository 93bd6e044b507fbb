package integration

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMethodLogging: what a differential run against apache2 2.4.71 found
// (integration/differential_test.go): a method httpd does not know,
// served by the default handler, is a 501 with core's AH00135 error-log
// entry, which gives the request its log id (%L); and a request line that
// starts with a space has an empty method, which %m logs as nothing, not
// "-".
func TestMethodLogging(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "CustomLog logs/access.log \"%>s|%m|%r|%L\"\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "index.html"), "hi\n")
	p := startLogproxy(t, root, confPath, addr)
	for _, raw := range []string{
		"FOO /index.html HTTP/1.0\r\n\r\n",
		"get /index.html HTTP/1.0\r\n\r\n",
		" /index.html HTTP/1.0\r\n\r\n",
		"GET /index.html HTTP/1.0\r\n\r\n",
	} {
		sendOnce(t, addr, raw)
	}
	log := waitFileContains(t, p.logPath("access.log"), "200|GET|", 5e9)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 4 {
		t.Fatalf("access log:\n%s\nwant 4 lines", log)
	}
	id := regexp.MustCompile(`^[A-Za-z0-9@+/-]{8,}$`)
	for i, want := range []string{"501|FOO|FOO /index.html HTTP/1.0|", "501|get|get /index.html HTTP/1.0|", "400|||", "200|GET|GET /index.html HTTP/1.0|-"} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: %q, want it to start with %q", i, lines[i], want)
		}
		if i < 2 && !id.MatchString(strings.TrimPrefix(lines[i], want)) {
			t.Errorf("line %d: %q: %%L is no log id", i, lines[i])
		}
	}
	errs := readFileString(p.logPath("error.log"))
	for _, want := range []string{"AH00135: Invalid method in request FOO /index.html HTTP/1.0", "AH00135: Invalid method in request get /index.html HTTP/1.0"} {
		if !strings.Contains(errs, want) {
			t.Errorf("error log lacks %q:\n%s", want, errs)
		}
	}
}
