package proxy

import (
	"os"
	"path/filepath"
	"testing"
)

// The hashes were made by Apache's own htpasswd (apache2-utils 2.4):
// htpasswd -nbm, -nbs and -nbB -C 5.
const testHtpasswd = `# users for tests
alice:$apr1$LcsoFv.D$hpTu9z6McHCrby9.44Iwf0
bob:$apr1$KRV9mJG.$.4gL9l2voX39IGv0DUY5m/
carol:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=
dave:$2y$05$.wIEfCunhzdI2zyWUUxQje/NWyCTh1AYSBw6B6VcA.Hb6/5vsv4J6
eve:$apr1$i4OZfNzz$sMbE.sWnCP4iGktRuzFRG1
alice:$apr1$LcsoFv.D$hpTu9z6McHCrby9.44Iwf0x
frank:abcdefghijklm
`

func TestHtpasswd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(path, []byte(testHtpasswd), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := loadHtpasswd(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, pw string
		found, ok      bool
		wantErr        bool
	}{
		{"apr1", "alice", "secret", true, true, false},
		{"apr1 wrong", "alice", "Secret", true, false, false},
		{"apr1 long utf-8", "bob", "pässwörd with spaces and a very long tail 1234567890", true, true, false},
		{"apr1 empty password", "eve", "", true, true, false},
		{"apr1 empty password wrong", "eve", "x", true, false, false},
		{"sha1", "carol", "secret", true, true, false},
		{"sha1 wrong", "carol", "secreT", true, false, false},
		{"bcrypt", "dave", "secret", true, true, false},
		{"bcrypt wrong", "dave", "secret2", true, false, false},
		{"unknown user", "mallory", "secret", false, false, false},
		{"crypt(3) refused", "frank", "secret", true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, ok, err := h.check(tt.user, tt.pw)
			if found != tt.found || ok != tt.ok || (err != nil) != tt.wantErr {
				t.Errorf("check(%q, %q) = %v, %v, %v; want %v, %v, error %v", tt.user, tt.pw, found, ok, err, tt.found, tt.ok, tt.wantErr)
			}
		})
	}
}
