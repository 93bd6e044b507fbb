package proxy

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestAppendFileWrite: each line is one append at the end of the file,
// also when another writer appends in between; a failed write is counted
// as dropped and returned with the file's name.
func TestAppendFileWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	s := &Site{Logs: []*LogFile{{Path: path}}}
	if err := s.OpenLogs(); err != nil {
		t.Fatal(err)
	}
	defer s.CloseLogs()
	other, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lf := s.Logs[0]
	for _, line := range []string{"one\n", "two\n"} {
		if n, err := lf.w.Write([]byte(line)); err != nil || n != len(line) {
			t.Fatalf("Write(%q) = %d, %v", line, n, err)
		}
		other.WriteString("other\n")
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "one\nother\ntwo\nother\n"; string(got) != want {
		t.Fatalf("file holds %q, want %q", got, want)
	}
	if d := lf.Dropped(); d != 0 {
		t.Fatalf("Dropped() = %d, want 0", d)
	}

	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("this test needs /dev/full: %v", err)
	}
	full := &Site{Logs: []*LogFile{{Path: "/dev/full"}}}
	if err := full.OpenLogs(); err != nil {
		t.Fatal(err)
	}
	defer full.CloseLogs()
	_, err = full.Logs[0].w.Write([]byte("line\n"))
	var pe *os.PathError
	if !errors.As(err, &pe) || pe.Path != "/dev/full" || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write to a full device: %v; want ENOSPC naming /dev/full", err)
	}
	if d := full.Logs[0].Dropped(); d != 1 {
		t.Fatalf("Dropped() = %d after a failed write, want 1", d)
	}
}
