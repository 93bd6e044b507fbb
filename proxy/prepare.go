package proxy

import "fmt"

// Prepare loads what the site's directives name beyond the configuration
// file: every AuthUserFile and the TypesConfig file. It is called once
// after the site is built and before it serves.
func (s *Site) Prepare() error {
	files := make(map[string]*htpasswd)
	load := func(d *DirConfig) error {
		if d == nil || d.AuthUserFile == "" {
			return nil
		}
		if h, ok := files[d.AuthUserFile]; ok {
			d.htpasswd = h
			return nil
		}
		h, err := loadHtpasswd(d.AuthUserFile)
		if err != nil {
			return fmt.Errorf("AuthUserFile: %w", err)
		}
		files[d.AuthUserFile] = h
		d.htpasswd = h
		return nil
	}
	for _, srv := range append([]*Server{s.Main}, s.VHosts...) {
		if err := load(srv.Dir); err != nil {
			return err
		}
		for _, sec := range srv.Sections {
			if err := load(sec.Dir); err != nil {
				return err
			}
		}
	}
	if s.TypesConfig != "" {
		t, err := loadMimeTypes(s.TypesConfig)
		if err != nil {
			return fmt.Errorf("TypesConfig: %w", err)
		}
		s.types = t
	} else {
		s.types = &mimeTypes{}
	}
	s.prepareTLS()
	return nil
}
