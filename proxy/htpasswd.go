package proxy

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// htpasswd is a parsed AuthUserFile: user name to password hash, as
// Apache's htpasswd writes it ("user:hash" lines, '#' comments).
type htpasswd struct {
	users map[string]string
}

// loadHtpasswd reads an AuthUserFile. Like mod_authn_file, it reads lines
// of "user:hash", skipping blank lines and lines starting with '#'.
func loadHtpasswd(path string) (*htpasswd, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h := &htpasswd{users: make(map[string]string)}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if _, dup := h.users[user]; !dup { // the first entry wins, as in mod_authn_file
			h.users[user] = hash
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return h, nil
}

// check reports whether password matches the user's hash. found is false
// when the user is not in the file (httpd's AUTH_USER_NOT_FOUND).
func (h *htpasswd) check(user, password string) (found, ok bool, err error) {
	hash, found := h.users[user]
	if !found {
		return false, false, nil
	}
	ok, err = checkPassword(hash, password)
	return true, ok, err
}

// checkPassword verifies password against one hash in any format Apache's
// htpasswd writes: bcrypt ($2y$), apr1 MD5 ($apr1$), SHA-1 ({SHA}) and, as
// apr_password_validate does on Unix, plain text is not accepted. The
// traditional crypt(3) DES format is refused with an error, since it
// cannot be verified without the C library.
func checkPassword(hash, password string) (bool, error) {
	switch {
	case strings.HasPrefix(hash, "$2y$"), strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if err == bcrypt.ErrMismatchedHashAndPassword {
			return false, nil
		}
		return err == nil, err
	case strings.HasPrefix(hash, "$apr1$"):
		want := apr1(password, strings.TrimPrefix(hash, "$apr1$"))
		return subtle.ConstantTimeCompare([]byte(want), []byte(hash)) == 1, nil
	case strings.HasPrefix(hash, "{SHA}"):
		sum := sha1.Sum([]byte(password))
		want := "{SHA}" + base64.StdEncoding.EncodeToString(sum[:])
		return subtle.ConstantTimeCompare([]byte(want), []byte(hash)) == 1, nil
	}
	return false, fmt.Errorf("unsupported password hash format %q", truncate(hash, 8))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// apr1 computes Apache's MD5-based crypt ("$apr1$salt$hash"), the
// algorithm of apr_md5_encode: FreeBSD's MD5 crypt with the magic "$apr1$".
func apr1(password, saltAndHash string) string {
	salt, _, _ := strings.Cut(saltAndHash, "$")
	if len(salt) > 8 {
		salt = salt[:8]
	}
	const magic = "$apr1$"
	pw := []byte(password)

	ctx := md5.New()
	ctx.Write(pw)
	ctx.Write([]byte(magic))
	ctx.Write([]byte(salt))

	alt := md5.New()
	alt.Write(pw)
	alt.Write([]byte(salt))
	alt.Write(pw)
	final := alt.Sum(nil)
	for pl := len(pw); pl > 0; pl -= 16 {
		ctx.Write(final[:min(pl, 16)])
	}
	for i := len(pw); i != 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(pw[:1])
		}
	}
	final = ctx.Sum(nil)

	for i := 0; i < 1000; i++ {
		c := md5.New()
		if i&1 != 0 {
			c.Write(pw)
		} else {
			c.Write(final)
		}
		if i%3 != 0 {
			c.Write([]byte(salt))
		}
		if i%7 != 0 {
			c.Write(pw)
		}
		if i&1 != 0 {
			c.Write(final)
		} else {
			c.Write(pw)
		}
		final = c.Sum(nil)
	}

	const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var out []byte
	to64 := func(v uint32, n int) {
		for ; n > 0; n-- {
			out = append(out, itoa64[v&0x3f])
			v >>= 6
		}
	}
	to64(uint32(final[0])<<16|uint32(final[6])<<8|uint32(final[12]), 4)
	to64(uint32(final[1])<<16|uint32(final[7])<<8|uint32(final[13]), 4)
	to64(uint32(final[2])<<16|uint32(final[8])<<8|uint32(final[14]), 4)
	to64(uint32(final[3])<<16|uint32(final[9])<<8|uint32(final[15]), 4)
	to64(uint32(final[4])<<16|uint32(final[10])<<8|uint32(final[5]), 4)
	to64(uint32(final[11]), 2)
	return magic + salt + "$" + string(out)
}
