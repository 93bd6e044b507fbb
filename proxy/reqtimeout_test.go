package proxy

import (
	"testing"
	"time"
)

func TestParseReqTimeout(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    ReqTimeout
		wantErr bool
	}{
		{"httpd default", []string{"header=20-40,MinRate=500", "body=20,MinRate=500"}, DefaultReqTimeout(), false},
		{"header only", []string{"header=10"}, ReqTimeout{Header: ReadTimeout{Initial: 10 * time.Second}, Body: DefaultReqTimeout().Body}, false},
		{"disable body", []string{"body=0"}, ReqTimeout{Header: DefaultReqTimeout().Header}, false},
		{"handshake ignored", []string{"handshake=5"}, DefaultReqTimeout(), false},
		{"no equals", []string{"header"}, ReqTimeout{}, true},
		{"unknown stage", []string{"trailer=5"}, ReqTimeout{}, true},
		{"max below initial", []string{"header=20-10"}, ReqTimeout{}, true},
		{"bad rate", []string{"header=20,MinRate=x"}, ReqTimeout{}, true},
		{"bad rate key", []string{"header=20,Rate=5"}, ReqTimeout{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DefaultReqTimeout()
			err := ParseReqTimeout(&got, tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseReqTimeout(%q) error = %v, want error %v", tt.args, err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("ParseReqTimeout(%q) = %+v, want %+v", tt.args, got, tt.want)
			}
		})
	}
}

// TestReadClock checks that the deadline moves one second per MinRate
// bytes and never past the maximum.
func TestReadClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var k readClock
	if d := k.start(ReadTimeout{Initial: 20 * time.Second, Max: 40 * time.Second, MinRate: 500}, start); !d.Equal(start.Add(20 * time.Second)) {
		t.Fatalf("start = %v, want +20s", d)
	}
	if d := k.read(499); !d.IsZero() {
		t.Errorf("499 bytes moved the deadline to %v", d)
	}
	if d := k.read(1); !d.Equal(start.Add(21 * time.Second)) {
		t.Errorf("500 bytes: deadline %v, want +21s", d)
	}
	if d := k.read(500 * 100); !d.Equal(start.Add(40 * time.Second)) {
		t.Errorf("50000 more bytes: deadline %v, want the +40s maximum", d)
	}
	if d := k.read(500); !d.IsZero() {
		t.Errorf("past the maximum the deadline moved to %v", d)
	}
	var off readClock
	if d := off.start(ReadTimeout{}, start); !d.IsZero() {
		t.Errorf("a disabled stage has deadline %v", d)
	}
	if d := off.read(1000); !d.IsZero() {
		t.Errorf("a disabled stage moved to %v", d)
	}
}
