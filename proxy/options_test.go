package proxy

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOptionsWords: Options lines are read, and refused, as core's
// set_options reads them.
func TestOptionsWords(t *testing.T) {
	tests := []struct {
		name  string
		words []string
		want  DirOptions
		msg   string
	}{
		{"none", []string{"None"}, DirOptions{Set: true}, ""},
		{"outright", []string{"Indexes", "FollowSymLinks"}, DirOptions{Set: true, Opts: OptIndexes | OptSymLinks}, ""},
		{"all", []string{"All"}, DirOptions{Set: true, Opts: OptAll}, ""},
		{"changes", []string{"+Indexes", "-FollowSymLinks"}, DirOptions{Opts: OptIndexes, Add: OptIndexes, Remove: OptSymLinks}, ""},
		{"none then changes", []string{"None", "+SymLinksIfOwnerMatch"}, DirOptions{Set: true, Opts: OptSymOwner, Add: OptSymOwner}, ""},
		{"mixed", []string{"+Indexes", "FollowSymLinks"}, DirOptions{}, "Either all Options must start with + or -, or no Option may."},
		{"mixed the other way", []string{"Indexes", "+FollowSymLinks"}, DirOptions{}, "Either all Options must start with + or -, or no Option may."},
		{"bogus", []string{"Bogus"}, DirOptions{}, "Illegal option Bogus"},
		{"plus none", []string{"+None"}, DirOptions{}, "You may not use 'Options +None' or 'Options -None'."},
		{"none later", []string{"Indexes", "None"}, DirOptions{}, "'Options None' must be the first Option given."},
		{"all later", []string{"Indexes", "All"}, DirOptions{}, "'Options All' must be the first option given."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := optionsWords(tt.words)
			if msg != tt.msg || (msg == "" && got != tt.want) {
				t.Errorf("optionsWords(%q) = %+v, %q; want %+v, %q", tt.words, got, msg, tt.want, tt.msg)
			}
		})
	}
}

// TestOptionsMerge: an outright Options replaces the parent's, +/- change
// them, and the default is FollowSymLinks.
func TestOptionsMerge(t *testing.T) {
	parse := func(w ...string) *DirOptions {
		o, msg := optionsWords(w)
		if msg != "" {
			t.Fatal(msg)
		}
		return &o
	}
	tests := []struct {
		name   string
		levels []*DirOptions
		want   uint16
	}{
		{"default", nil, OptSymLinks},
		{"none", []*DirOptions{parse("None")}, 0},
		{"minus from the default", []*DirOptions{parse("-FollowSymLinks")}, 0},
		{"plus to the default", []*DirOptions{parse("+Indexes")}, OptSymLinks | OptIndexes},
		{"outright replaces", []*DirOptions{parse("Indexes"), parse("None"), parse("+SymLinksIfOwnerMatch")}, OptSymOwner},
		{"changes add up", []*DirOptions{parse("None"), parse("+FollowSymLinks"), parse("+Indexes"), parse("-FollowSymLinks")}, OptIndexes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &DirConfig{}
			for i, o := range tt.levels {
				if i == 0 {
					d.Options = o
					continue
				}
				d.Merge(&DirConfig{Options: o})
			}
			if got := d.options(); got != tt.want {
				t.Errorf("options = %b, want %b", got, tt.want)
			}
		})
	}
}

// TestSymlinkRefused: without FollowSymLinks a path through a symbolic
// link is refused (at the link), with SymLinksIfOwnerMatch only when the
// link and its target have different owners.
func TestSymlinkRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file.html"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "f"), []byte("x"), 0o644)
	os.Symlink("file.html", filepath.Join(dir, "link.html"))
	os.Symlink("sub", filepath.Join(dir, "dirlink"))
	os.Symlink("nowhere", filepath.Join(dir, "dangling"))
	tests := []struct {
		name string
		path string
		opts uint16
		want string
	}{
		{"follow", "link.html", OptSymLinks, ""},
		{"plain file", "file.html", 0, ""},
		{"link refused", "link.html", 0, "link.html"},
		{"link in the middle", "dirlink/f", 0, "dirlink"},
		{"owner match", "link.html", OptSymOwner, ""},
		{"dangling with owner match", "dangling", OptSymOwner, "dangling"},
		{"missing file", "missing/x", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want != "" {
				want = filepath.Join(dir, want)
			}
			if got := symlinkRefused(filepath.Join(dir, tt.path), tt.opts); got != want {
				t.Errorf("symlinkRefused(%s, %b) = %q, want %q", tt.path, tt.opts, got, want)
			}
		})
	}
}
