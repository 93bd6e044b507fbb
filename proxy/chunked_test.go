package proxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestChunkedParseSize(t *testing.T) {
	for _, tc := range []struct {
		line   string
		strict bool
		size   int64 // -1: error
	}{
		{"0\r\n", true, 0},
		{"a\r\n", true, 10},
		{"A\r\n", true, 10},
		{"00000000000000000000010\r\n", true, 16},
		{"7fffffffffffffff\r\n", true, 1<<63 - 1},
		{"8000000000000000\r\n", true, -1},
		{"10000000000000000\r\n", true, -1},
		{"5;ext=1\r\n", true, 5},
		{"5;ext=\"quoted;\\\"\"\r\n", true, 5},
		{"5 ;x\r\n", true, 5},
		{"5\t \r\n", true, 5},
		{"5" + strings.Repeat(" ", 10) + "\r\n", true, 5},
		{"5" + strings.Repeat(" ", 11) + "\r\n", true, -1},
		{"5 5\r\n", true, -1},
		{" 5\r\n", true, -1},
		{"\r\n", true, -1},
		{"g\r\n", true, -1},
		{"5x\r\n", true, -1},
		{"5;a\x01b\r\n", true, -1},
		{"5;a\tb\r\n", true, 5},
		{"5\n", true, -1},
		{"5\n", false, 5},
		{"5\r\r\n", true, -1},
		{"-5\r\n", true, -1},
		{"0x5\r\n", true, -1},
	} {
		size, err := chunkedParseSize([]byte(tc.line), tc.strict)
		if tc.size < 0 {
			if err == nil {
				t.Errorf("%q: accepted %d", tc.line, size)
			}
			continue
		}
		if err != nil || size != tc.size {
			t.Errorf("%q: %d %v, want %d", tc.line, size, err, tc.size)
		}
	}
	_, err := chunkedParseSize([]byte("8000000000000000\r\n"), true)
	var ce *chunkedError
	if !errors.As(err, &ce) || !ce.TooLarge() {
		t.Errorf("overflow: %v", err)
	}
}

// TestChunkedReader decodes bodies through readers that split the input
// everywhere.
func TestChunkedReader(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		unsafe   bool
		body     string
		trailers string
		bad      bool
		rest     string // bytes left after the body
	}{
		{name: "simple", in: "5\r\nhello\r\n0\r\n\r\n", body: "hello", trailers: "[]"},
		{name: "several", in: "1\r\na\r\n2\r\nbc\r\n3;x\r\ndef\r\n0\r\n\r\nNEXT", body: "abcdef", trailers: "[]", rest: "NEXT"},
		{name: "trailers", in: "2\r\nok\r\n0\r\nA: 1\r\nB:2 \r\n\r\n", body: "ok", trailers: "[{A 1} {B 2}]"},
		{name: "folded trailer", in: "0\r\nA: 1\r\n \t 2\r\n\r\n", trailers: "[{A 1 2}]"},
		{name: "fold first", in: "0\r\n A: 1\r\n\r\n", bad: true},
		{name: "bad trailer name", in: "0\r\nA B: 1\r\n\r\n", bad: true},
		{name: "trailer ctl", in: "0\r\nA: 1\x01\r\n\r\n", bad: true},
		{name: "trailer bare LF", in: "0\nA: 1\n\n", unsafe: true, trailers: "[{A 1}]"},
		{name: "trailer bare LF strict", in: "0\r\nA: 1\n\r\n", bad: true},
		{name: "big chunk", in: "2710\r\n" + strings.Repeat("x", 10000) + "\r\n0\r\n\r\n", body: strings.Repeat("x", 10000), trailers: "[]"},
		// A bad line after chunk data is consumed through its LF before
		// it is refused, as httpd's GETLINE read takes it (apache2
		// 2.4.71 counted those bytes in %I).
		{name: "missing CRLF", in: "2\r\nokk\r\n0\r\n\r\n", bad: true, rest: "0\r\n\r\n"},
		{name: "size line after data", in: "2\r\nok0\r\n\r\n", bad: true, rest: "\r\n"},
		{name: "CR alone after data", in: "2\r\nok\r0\r\n\r\n", bad: true, rest: "\r\n"},
		{name: "LF after data strict", in: "2\r\nok\n0\r\n\r\n", bad: true, rest: "0\r\n\r\n"},
		{name: "long line after data", in: "2\r\nok" + strings.Repeat("y", 9000), bad: true, rest: strings.Repeat("y", 9000-8192)},
		{name: "LF after data unsafe", in: "2\r\nok\n0\r\n\r\n", unsafe: true, body: "ok", trailers: "[]"},
		{name: "truncated data", in: "5\r\nhel", bad: true},
		{name: "truncated trailers", in: "0\r\nA: 1\r\n", bad: true},
		{name: "empty", in: "", bad: true},
	} {
		for _, split := range []string{"whole", "onebyte", "halfreader", "dataerr"} {
			t.Run(tc.name+"/"+split, func(t *testing.T) {
				var src io.Reader = strings.NewReader(tc.in)
				switch split {
				case "onebyte":
					src = iotest.OneByteReader(src)
				case "halfreader":
					src = iotest.HalfReader(src)
				case "dataerr":
					src = iotest.DataErrReader(src)
				}
				br := bufio.NewReaderSize(src, 16)
				if tc.name == "big chunk" {
					br = bufio.NewReaderSize(src, 64)
				}
				var r chunkedReader
				r.reset(br, tc.unsafe)
				var out strings.Builder
				buf := make([]byte, 7)
				var err error
				for {
					var n int
					n, err = r.Read(buf)
					out.Write(buf[:n])
					if err != nil {
						break
					}
				}
				if tc.bad {
					if err == io.EOF {
						t.Fatalf("accepted: %q", out.String())
					}
					if split == "whole" && tc.rest != "" {
						if rest, _ := io.ReadAll(br); string(rest) != tc.rest {
							t.Errorf("left after the error: %q, want %q", rest, tc.rest)
						}
					}
					return
				}
				if err != io.EOF {
					t.Fatalf("err %v after %q", err, out.String())
				}
				if out.String() != tc.body || fmt.Sprint(r.trailers) != tc.trailers {
					t.Errorf("body %q trailers %v", out.String(), r.trailers)
				}
				if rest, _ := io.ReadAll(br); string(rest) != tc.rest {
					t.Errorf("rest %q", rest)
				}
				if n, err := r.Read(buf); n != 0 || err != io.EOF {
					t.Errorf("read after end: %d %v", n, err)
				}
			})
		}
	}
}

// TestChunkedReaderLimits checks the line and field limits.
func TestChunkedReaderLimits(t *testing.T) {
	long := "5;" + strings.Repeat("e", 100) + "\r\nhello\r\n0\r\n\r\n"
	var r chunkedReader
	r.resetLimits(bufio.NewReaderSize(strings.NewReader(long), 256), false, 64, 0)
	if _, err := io.ReadAll(&r); err == nil {
		t.Error("long chunk line accepted")
	}
	r.resetLimits(bufio.NewReaderSize(strings.NewReader(long), 256), false, 200, 0)
	if b, err := io.ReadAll(&r); err != nil || string(b) != "hello" {
		t.Errorf("%q %v", b, err)
	}
	many := "0\r\n" + strings.Repeat("A: 1\r\n", 3) + "\r\n"
	r.resetLimits(bufio.NewReader(strings.NewReader(many)), false, 100, 2)
	if _, err := io.ReadAll(&r); err == nil {
		t.Error("3 trailers accepted with a limit of 2")
	}
	// Repeated names merge into the first, as httpd's table compression
	// merges them (apache2 2.4.71 logged "a, b, c" for %{X-T1}^ti).
	dup := "0\r\nX-T1: a\r\nx-t1: b\r\nX-T2: z\r\nX-T1: c\r\n\r\n"
	r.reset(bufio.NewReader(strings.NewReader(dup)), false)
	if _, err := io.ReadAll(&r); err != nil || len(r.trailers) != 2 ||
		r.trailers[0] != (Field{Name: "X-T1", Value: "a, b, c"}) || r.trailers[1] != (Field{Name: "X-T2", Value: "z"}) {
		t.Errorf("%v %v", err, r.trailers)
	}
}

func TestChunkedEncode(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 15, 16, 255, 256, 4095, 4096, 32768} {
		h := chunkedAppendHeader(nil, n)
		if want := fmt.Sprintf("%x\r\n", n); string(h) != want || chunkedHeaderLen(n) != len(want) {
			t.Errorf("%d: %q (len %d), want %q", n, h, chunkedHeaderLen(n), want)
		}
	}
	last := chunkedAppendLast(nil, []Field{{Name: "A", Value: "1"}, {Name: "B C", Value: "x"}, {Name: "D", Value: "a\nb"}, {Name: "", Value: "e"}})
	if string(last) != "0\r\nA: 1\r\n\r\n" {
		t.Errorf("last chunk %q", last)
	}
}
